"""The people (conversations table) and staff pauses: the one place that locks a person.

Every writer locks people here, through `_lock`, in id order: an inbound text, a keypress,
a reminder being prepared or sent, a delivery report, a staff action. Two writers that
need the same people therefore never wait for each other in a circle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Collection
from typing import Any, cast

from psycopg.rows import namedtuple_row
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    TextClause,
    Update,
    bindparam,
    delete,
    exists,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from flows import Conversation, Language, Referral, Status, Step
from flows.conversation.state import VisitOutcome
from store.cases import has_an_open_case
from store.db import Pending, Plain, json_rows, one_of
from store.models import ConversationRow, ForgottenMessageRow, ReminderHoldRow

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_PEOPLE = cast(Table, ConversationRow.__table__)  # the Core table, for plain statements


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    """One person's row as the service reads it: who, and where their conversation stands."""

    id: int
    phone: str
    state: Conversation
    paused: bool = False  # staff paused their reminders
    in_inbox: bool = False  # a case of theirs is open: their texts go to it too


def _columns(conv: Conversation) -> dict[str, object]:
    return {
        "language": conv.language.value,
        "step": conv.step.value,
        "status": conv.status.value,
        "appointment": conv.appointment,
        "pending_date": conv.pending_date,
        "date_deferred": conv.date_deferred,
        "referral": conv.referral.value,
        "records_done": ",".join(str(n) for n in sorted(conv.records_done)),
        "phrase_index": conv.phrase_index,
        "timezone": conv.timezone,
        "calls": conv.calls,
        "enrolled_at": conv.enrolled_at,
        "referral_at": conv.referral_at,
        "deferred_at": conv.deferred_at,
        "visit_outcome": conv.visit_outcome.value if conv.visit_outcome else None,
    }


def _person(row: Any) -> Person:
    return Person(row.id, row.phone, state_of(row), bool(row.paused), bool(row.in_inbox))


def state_of(row: Any) -> Conversation:
    """The conversation a row of the table holds (for readers that list many people)."""
    return Conversation(
        language=Language(row.language),
        step=Step(row.step),
        status=Status(row.status),
        appointment=row.appointment,
        pending_date=row.pending_date,
        date_deferred=row.date_deferred,
        referral=Referral(row.referral),
        records_done=_records(row.records_done),
        phrase_index=row.phrase_index,
        timezone=row.timezone,
        calls=row.calls,
        enrolled_at=_utc(row.enrolled_at),
        referral_at=_utc(row.referral_at),
        deferred_at=_utc(row.deferred_at),
        visit_outcome=VisitOutcome(row.visit_outcome) if row.visit_outcome else None,
    )


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    """In UTC, as the column's type gives it (a plain row gives the connection's zone)."""
    return at if at is None or at.tzinfo is dt.UTC else at.astimezone(dt.UTC)


def _records(done: str) -> frozenset[int]:
    return frozenset(map(int, filter(None, done.split(",")))) if done else _NONE_DONE


_NONE_DONE: frozenset[int] = frozenset()


# What a Person holds: every column but the row's own timestamps (fewer columns to read).
_READ = [c for c in _PEOPLE.c if c.name not in ("created_at", "updated_at")]


def _query() -> Select[Any]:
    paused = select(ReminderHoldRow.conversation_id).where(
        ReminderHoldRow.conversation_id == ConversationRow.id
    )
    in_inbox = has_an_open_case(ConversationRow.id)
    return select(*_READ, paused.exists().label("paused"), in_inbox.label("in_inbox"))


def _locking(where: ColumnElement[bool], skip_locked: bool = False) -> Select[Any]:
    return (
        _query().where(where).order_by(ConversationRow.id).with_for_update(skip_locked=skip_locked)
    )


# Built once (building a statement, and its cache key, costs more than running it): the
# statement every keypress locks its caller with, and the one every inbound text locks its
# sender with, which also says whether the text's MessageSid was forgotten (an erased
# person's text replayed): one statement where two were.
_BY_PHONE = _locking(ConversationRow.phone == bindparam("phone"))
_FORGOTTEN = cast(Table, ForgottenMessageRow.__table__)
_SID_FORGOTTEN = exists().where(_FORGOTTEN.c.sid == bindparam("sid"))
_BY_PHONE_FOR_TEXT = _BY_PHONE.add_columns(_SID_FORGOTTEN.label("forgotten"))
_IS_FORGOTTEN = select(_SID_FORGOTTEN)
_PLAIN_BY_PHONE_FOR_TEXT = Plain(_BY_PHONE_FOR_TEXT)  # as plain SQL, on PostgreSQL


def _lock(
    session: Session,
    where: ColumnElement[bool] | Select[Any],
    skip_locked: bool = False,
    params: dict[str, Any] | None = None,
    plain: Plain | None = None,
) -> list[Any]:
    """The one locking statement: the matching people's rows, in id order, locked until the
    transaction ends. `where` is a condition, or one of this module's locking statements
    (with `params`, and `plain`, the same statement sent as plain SQL on PostgreSQL). Run
    on the session's connection: plain rows, without the ORM's per-statement machinery
    (every text and every group of reminders locks people)."""
    session.flush()  # what the session holds goes first, as session.execute would do
    connection = session.connection()
    if plain is not None and params is not None and connection.dialect.name == "postgresql":
        return list(plain.rows(connection, params, namedtuple_row))
    statement = where if isinstance(where, Select) else _locking(where, skip_locked)
    return list(connection.execute(statement, params))


def lock_people(
    session: Session, ids: Collection[int] | Select[Any], *, skip_locked: bool = False
) -> dict[int, Person]:
    """These people (ids, or a query of ids), locked; someone erased meanwhile is missing,
    and with `skip_locked` so is someone another transaction holds (a worker sending)."""
    if not isinstance(ids, Select) and not ids:
        return {}
    if isinstance(ids, Select) or skip_locked:
        found = _lock(session, ConversationRow.id.in_(ids), skip_locked)
    else:  # built once per dialect, the ids one parameter
        by_ids = _by_ids(session.get_bind().dialect.name)
        found = _lock(session, by_ids, params={"ids": sorted(ids)})
    return {r.id: _person(r) for r in found}


@functools.cache
def _by_ids(dialect: str) -> Select[Any]:
    return _locking(one_of(ConversationRow.id, "ids", dialect))


def lock_to_send(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """These people locked, as sending to them needs them: plain rows of id, phone,
    language, status and paused, without building their conversations (someone erased
    meanwhile is missing)."""
    if not ids:
        return {}
    statement = _to_send(session.get_bind().dialect.name)
    return {r.id: r for r in _lock(session, statement, params={"ids": sorted(ids)})}


@functools.cache
def _to_send(dialect: str) -> Select[Any]:
    paused = select(ReminderHoldRow.conversation_id).where(
        ReminderHoldRow.conversation_id == ConversationRow.id
    )
    c = _PEOPLE.c
    query = select(c.id, c.phone, c.language, c.status, paused.exists().label("paused"))
    where = one_of(ConversationRow.id, "ids", dialect)
    return query.where(where).order_by(ConversationRow.id).with_for_update()


def lock_person(session: Session, person_id: int) -> Person | None:
    found = _lock(session, ConversationRow.id == person_id)
    return _person(found[0]) if found else None


def lock_by_phone(session: Session, phone: str, now: dt.datetime, timezone: str) -> Person:
    """The person with this number, created if new, locked until the transaction ends."""
    found = _lock(session, _BY_PHONE, params={"phone": phone})
    if found:  # every call but a number's first: one statement, no INSERT built
        return _person(found[0])
    return _add(session, phone, now, timezone)


def lock_for_text(
    session: Session, phone: str, sid: str, now: dt.datetime, timezone: str
) -> Person | None:
    """As `lock_by_phone`, for a text with this MessageSid; None, with nothing created, when
    the sid was forgotten (its person erased or expired: a replay must change nothing)."""
    params = {"phone": phone, "sid": sid}
    found = _lock(session, _BY_PHONE_FOR_TEXT, params=params, plain=_PLAIN_BY_PHONE_FOR_TEXT)
    if found:  # every text but a number's first: one statement
        return None if found[0].forgotten else _person(found[0])
    if session.connection().execute(_IS_FORGOTTEN, {"sid": sid}).scalar():
        return None
    return _add(session, phone, now, timezone)


def _add(session: Session, phone: str, now: dt.datetime, timezone: str) -> Person:
    """A new number: its conversation (or the one another request just made), locked."""
    values = {"phone": phone, "created_at": now, "updated_at": now}
    values.update(_columns(Conversation(timezone=timezone)))
    add = _INSERTS[session.get_bind().dialect.name](ConversationRow)
    session.execute(add.values(**values).on_conflict_do_nothing(index_elements=["phone"]))
    return _person(_lock(session, _BY_PHONE, params={"phone": phone})[0])


def ids_of(session: Session, phones: Collection[str]) -> list[int]:
    """The people with these numbers (those who have a conversation)."""
    if not phones:
        return []
    query = select(ConversationRow.id).where(ConversationRow.phone.in_(phones))
    return list(session.scalars(query))


def find_by_phone(session: Session, phone: str) -> Person | None:
    """Read without a lock (a caller being greeted)."""
    row = session.execute(_query().where(ConversationRow.phone == phone)).one_or_none()
    return _person(row) if row else None


def find(session: Session, person_id: int) -> Person | None:
    row = session.execute(_query().where(ConversationRow.id == person_id)).one_or_none()
    return _person(row) if row else None


def save(
    session: Session,
    person: Person,
    conv: Conversation,
    now: dt.datetime,
    along: Pending | None = None,
) -> None:
    """Write what changed of a locked person's state; nothing when nothing changed. `along`:
    a write sent first, in the same statement as the person's update on PostgreSQL."""
    save_all(session, [(person, conv)], now, along)


def save_all(
    session: Session,
    changes: Collection[tuple[Person, Conversation]],
    now: dt.datetime,
    along: Pending | None = None,
) -> None:
    """Write what changed for many locked people: one statement per set of changed columns
    (`along`, a write sent first: carried by the first of them on PostgreSQL)."""
    by_columns: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for person, conv in changes:
        before, after = _columns(person.state), _columns(conv)
        changed = {name: value for name, value in after.items() if before[name] != value}
        if changed:
            row = {f"new_{name}": value for name, value in changed.items()}
            by_columns.setdefault(tuple(sorted(changed)), []).append({"person": person.id, **row})
    connection = session.connection() if by_columns or along else None
    postgres = connection is not None and connection.dialect.name == "postgresql"
    for columns, rows in by_columns.items():
        if postgres and len(rows) > 1 and connection is not None:  # a group of reminders
            connection.execute(_update_all(columns), {"rows": json_rows(rows), "now": now})
            continue
        for row in rows:
            row["now"] = now
        if postgres and len(rows) == 1 and connection is not None:  # one person: a text
            first = along.plain if along is not None else None
            params = {**along.params, **rows[0]} if along is not None else rows[0]
            _plain_update(columns, first).rows(connection, params)
            along = None
        else:
            if along is not None:
                along.run(session)
                along = None
            session.connection().execute(_update(columns), rows)
    if along is not None:  # nothing changed: the write alone
        along.run(session)


@functools.cache
def _update_all(columns: tuple[str, ...]) -> TextClause:
    """PostgreSQL: the same for many people in one statement, their rows as one JSON
    parameter (one statement to run, not one per person)."""
    pg = postgresql.dialect()
    types = ", ".join(f"new_{n} {_PEOPLE.c[n].type.compile(dialect=pg)}" for n in columns)
    sets = ", ".join(f"{n} = c.new_{n}" for n in columns)
    return text(
        f"UPDATE conversations SET updated_at = :now, {sets} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS c(person integer, {types}) "
        "WHERE conversations.id = c.person"
    )


@functools.cache
def _update(columns: tuple[str, ...]) -> Update:
    """UPDATE of these columns (and updated_at) by id, built once per set of columns."""
    values: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=_PEOPLE.c[name].type) for name in columns
    }
    updated_at = bindparam("now", type_=_PEOPLE.c.updated_at.type)
    statement = update(_PEOPLE).where(_PEOPLE.c.id == bindparam("person"))
    return statement.values(updated_at=updated_at, **values)


@functools.cache
def _plain_update(columns: tuple[str, ...], before: Plain | None = None) -> Plain:
    return Plain(_update(columns), before)


def held(session: Session, ids: Collection[int]) -> set[int]:
    """Who, among these people, staff have paused."""
    query = select(ReminderHoldRow.conversation_id).where(ReminderHoldRow.conversation_id.in_(ids))
    return set(session.scalars(query))


def held_people() -> Select[Any]:
    """Paused people, for queries that must leave them alone (the sweep's claim)."""
    return select(ReminderHoldRow.conversation_id)


def is_paused(session: Session, person_id: int) -> bool:
    return bool(held(session, [person_id]))


def pause(session: Session, person: int, by: str, now: dt.datetime) -> None:
    """Hold a (locked) person's reminders: the sweep leaves them until `unpause`."""
    if not is_paused(session, person):
        row = {"conversation_id": person, "held_by": by, "held_at": now}
        session.execute(insert(ReminderHoldRow), [row])


def unpause(session: Session, person: int) -> None:
    session.execute(delete(ReminderHoldRow).where(ReminderHoldRow.conversation_id == person))


def remove(session: Session, person: int) -> None:
    """The conversation itself, last (every row that pointed at it is gone or unlinked)."""
    unpause(session, person)
    session.execute(delete(_PEOPLE).where(_PEOPLE.c.id == person))
