"""What the simulated phone shows: every text in and out, and the reminders still to come."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.reminders.sending import STAFF_TEXT
from store.models import ConversationRow, MessageRow, ReminderRow
from store.reminders import PENDING


@dataclasses.dataclass(frozen=True, slots=True)
class Bubble:
    id: int  # the message's, so the page adds only bubbles it does not show yet
    mine: bool  # sent by the patient
    body: str
    status: str
    at: dt.datetime  # in the patient's zone
    reminder: bool
    staff: bool = False  # written by a person on the program's team


@dataclasses.dataclass(frozen=True, slots=True)
class Upcoming:
    kind: str
    at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Screen:
    bubbles: list[Bubble]
    upcoming: list[Upcoming]
    zone: str
    language: str | None


def screen(session: Session, phone: str, fallback_zone: str) -> Screen:
    row = session.scalar(select(ConversationRow).where(ConversationRow.phone == phone))
    if row is None:
        return Screen([], [], fallback_zone, None)
    zone = ZoneInfo(row.timezone)
    messages = session.scalars(
        select(MessageRow)
        .where(MessageRow.conversation_id == row.id)
        .order_by(MessageRow.created_at, MessageRow.id)
    )
    bubbles = [
        Bubble(
            id=m.id,
            mine=m.direction == "in",
            body=m.body,
            status=m.status,
            at=m.created_at.astimezone(zone),
            reminder=m.direction == "out" and m.reply_to_id is None and m.key != STAFF_TEXT,
            staff=m.key == STAFF_TEXT,
        )
        for m in messages
    ]
    pending = session.scalars(
        select(ReminderRow)
        .where(
            ReminderRow.conversation_id == row.id,
            ReminderRow.status == PENDING,
            ReminderRow.claimed_at.is_(None),
        )
        .order_by(ReminderRow.due_at)
    )
    upcoming = [Upcoming(r.kind, r.due_at.astimezone(zone)) for r in pending]
    return Screen(bubbles, upcoming, row.timezone, row.language)
