"""The consent ledger: who opted in or out, when, how, with what words, and what we showed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from store.models import ConsentEventRow


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
    query = select(ConsentEventRow.conversation_id).where(
        ConsentEventRow.conversation_id.in_(people), ConsentEventRow.kind == "opt_in"
    )
    return set(session.scalars(query.distinct()))


def unlink(session: Session, person: int) -> None:
    """The person's conversation is going: their ledger lines stay, tied to the number only."""
    lines = update(ConsentEventRow).where(ConsentEventRow.conversation_id == person)
    session.execute(lines.values(conversation_id=None))
