"""Read-only queries behind the people list and a person's timeline."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from flows.phones import mask
from store.models import (
    ConsentEventRow,
    ConversationRow,
    MessageRow,
    ReminderHoldRow,
    ReminderRow,
    SandboxRow,
    StaffActionRow,
)
from store.reminders import PENDING

LIST_LIMIT = 200
T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    id: int
    masked: str
    language: str
    status: str
    step: str
    appointment: dt.date | None
    records_done: int
    referral: str
    next_reminder: dt.datetime | None
    last_status: str | None
    paused: bool
    sandbox: bool
    timezone: str


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    what: str  # "in" / "out" / "consent" / "reminder" / "staff"
    text: str
    status: str = ""
    error_code: int | None = None


def _people_query() -> Select[ConversationRow, dt.datetime | None, str | None, bool, bool]:
    next_due = (
        select(func.min(ReminderRow.due_at))
        .where(ReminderRow.conversation_id == ConversationRow.id, ReminderRow.status == PENDING)
        .scalar_subquery()
    )
    last_status = (
        select(MessageRow.status)
        .where(MessageRow.conversation_id == ConversationRow.id, MessageRow.direction == "out")
        .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    paused = select(ReminderHoldRow.conversation_id).where(
        ReminderHoldRow.conversation_id == ConversationRow.id
    )
    sandbox = select(SandboxRow.phone).where(SandboxRow.phone == ConversationRow.phone)
    return select(ConversationRow, next_due, last_status, paused.exists(), sandbox.exists())


def people(session: Session, status: str = "", language: str = "", last4: str = "") -> list[Person]:
    """Newest first, filtered by status, language and the number's last digits."""
    query = _people_query().order_by(ConversationRow.updated_at.desc()).limit(LIST_LIMIT)
    if status:
        query = query.where(ConversationRow.status == status)
    if language:
        query = query.where(ConversationRow.language == language)
    if last4:
        query = query.where(ConversationRow.phone.endswith(last4, autoescape=True))
    return [_person(*row) for row in session.execute(query)]


def person(session: Session, conversation_id: int) -> Person | None:
    query = _people_query().where(ConversationRow.id == conversation_id)
    row = session.execute(query).one_or_none()
    return _person(*row) if row else None


def _person(
    row: ConversationRow,
    next_due: dt.datetime | None,
    last_status: str | None,
    paused: bool,
    sandbox: bool,
) -> Person:
    return Person(
        id=row.id,
        masked=mask(row.phone),
        language=row.language,
        status=row.status,
        step=row.step,
        appointment=row.appointment,
        records_done=len([n for n in row.records_done.split(",") if n]),
        referral=row.referral,
        next_reminder=next_due,
        last_status=last_status,
        paused=paused,
        sandbox=sandbox,
        timezone=row.timezone,
    )


def timeline(session: Session, conversation_id: int) -> list[Event]:
    """Every message, consent event, reminder and staff action, oldest first."""
    events: list[Event] = []
    for m in _of(session, MessageRow, conversation_id):
        events.append(Event(m.created_at, m.direction, m.body, m.status, m.error_code))
    for c in _of(session, ConsentEventRow, conversation_id):
        events.append(Event(c.at, "consent", f"{c.kind} by {c.channel}: {c.words}"))
    for r in _of(session, ReminderRow, conversation_id):
        events.append(Event(r.sent_at or r.due_at, "reminder", r.kind, r.status, r.error_code))
    for a in _of(session, StaffActionRow, conversation_id):
        events.append(Event(a.at, "staff", f"{a.action} by {a.username} {a.detail}".strip()))
    return sorted(events, key=lambda e: e.at)


def _of(session: Session, model: type[T], conversation_id: int) -> Sequence[T]:
    query = select(model).where(model.conversation_id == conversation_id)  # type: ignore[attr-defined]
    return session.scalars(query).all()
