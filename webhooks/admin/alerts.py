"""Alerts for the dashboard and /metrics: texts that failed, opt-outs, and tomorrow's
visits with records still missing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.outcomes.stuck import visit_tomorrow_records_missing
from flows.phones import mask
from store.models import ConsentEventRow, ConversationRow, MessageRow, ReminderRow
from store.people import state_of
from store.reminders import FAILED

RECENT = dt.timedelta(days=7)  # failures and opt-outs older than this are no longer news
FAILED_DELIVERY = ("failed", "undelivered")  # Twilio's report for a text that never arrived
SHOWN = 20  # people named per alert; the count is always whole


class Kind(StrEnum):
    FAILED = "failed_delivery"
    OPTED_OUT = "opt_out"
    VISIT_TOMORROW = "visit_tomorrow_records_missing"


TITLES = {
    Kind.FAILED: "Texts that failed to arrive (7 days)",
    Kind.OPTED_OUT: "Opt-outs (7 days)",
    Kind.VISIT_TOMORROW: "Visit tomorrow, records still missing",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Flag:
    person: int
    masked: str
    at: dt.datetime | None
    detail: str
    zone: str = "America/New_York"  # the person's, for `at`


@dataclasses.dataclass(frozen=True, slots=True)
class Alert:
    kind: Kind
    count: int
    flags: list[Flag]

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def alerts(session: Session, now: dt.datetime) -> list[Alert]:
    found = {
        Kind.FAILED: _failed(session, now - RECENT),
        Kind.OPTED_OUT: _opted_out(session, now - RECENT),
        Kind.VISIT_TOMORROW: _visit_tomorrow(session, now),
    }
    return [Alert(kind, len(flags), flags[:SHOWN]) for kind, flags in found.items()]


def _failed(session: Session, since: dt.datetime) -> list[Flag]:
    """Refused by Twilio when sent, or reported undelivered afterwards; newest first."""
    phone, zone = ConversationRow.phone, ConversationRow.timezone
    refused = (
        select(ReminderRow.conversation_id, phone, ReminderRow.due_at, ReminderRow.error_code, zone)
        .join(ConversationRow)
        .where(ReminderRow.status == FAILED, ReminderRow.due_at >= since)
    )
    lost = (
        select(
            MessageRow.conversation_id, phone, MessageRow.created_at, MessageRow.error_code, zone
        )
        .join(ConversationRow)
        .where(MessageRow.status.in_(FAILED_DELIVERY), MessageRow.created_at >= since)
    )
    rows = [*session.execute(refused), *session.execute(lost)]
    flags = [
        Flag(p, mask(number), at, f"error {code}" if code else "", tz)
        for p, number, at, code, tz in rows
    ]
    return sorted(flags, key=lambda f: f.at or since, reverse=True)


def _opted_out(session: Session, since: dt.datetime) -> list[Flag]:
    query = (
        select(ConsentEventRow, ConversationRow.timezone)
        .join(ConversationRow, ConversationRow.id == ConsentEventRow.conversation_id)
        .where(ConsentEventRow.kind == "opt_out", ConsentEventRow.at >= since)
        .order_by(ConsentEventRow.at.desc())
    )
    return [
        Flag(e.conversation_id, mask(e.phone), e.at, f"by {e.channel}", zone)
        for e, zone in session.execute(query)
        if e.conversation_id is not None  # the join keeps only people not forgotten
    ]


def _visit_tomorrow(session: Session, now: dt.datetime) -> list[Flag]:
    """Tomorrow in each person's own zone: the database narrows, the rule decides."""
    today = now.date()
    soon = ConversationRow.appointment.between(today, today + dt.timedelta(days=2))
    query = select(ConversationRow).where(ConversationRow.status == "active", soon)
    return [
        Flag(row.id, mask(row.phone), None, f"visit {row.appointment}", row.timezone)
        for row in session.scalars(query.order_by(ConversationRow.appointment, ConversationRow.id))
        if visit_tomorrow_records_missing(state_of(row), now)
    ]
