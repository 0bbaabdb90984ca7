"""The consent ledger: who opted in or out, when, how, with what words, and what we showed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.orm import Session

from store.db import one_of
from store.models import ConsentEventRow

_EVENTS = cast(Table, ConsentEventRow.__table__)


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "opt_in" / "opt_out"
    channel: str  # "sms" / "voice" / "carrier" / "staff"
    words: str
    shown_text: str
    message_sid: str | None = None


def record(session: Session, person: int, phone: str, entry: Entry, now: dt.datetime) -> None:
    row = {"conversation_id": person, "phone": phone, "at": now, **dataclasses.asdict(entry)}
    session.execute(insert(ConsentEventRow), [row])


def consented(session: Session, people: Collection[int]) -> set[int]:
    """Who, among these people, has ever opted in."""
    connection = session.connection()
    query = _consented(connection.dialect.name)
    return set(connection.execute(query, {"people": list(people)}).scalars())


@functools.cache
def _consented(dialect: str) -> Select[Any]:
    people = one_of(_EVENTS.c.conversation_id, "people", dialect)
    query = select(_EVENTS.c.conversation_id).where(people, _EVENTS.c.kind == "opt_in")
    return query.distinct()


def unlink(session: Session, person: int) -> None:
    """The person's conversation is going: their ledger lines stay, tied to the number only."""
    lines = update(ConsentEventRow).where(ConsentEventRow.conversation_id == person)
    session.execute(lines.values(conversation_id=None))
