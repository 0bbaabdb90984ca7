"""Where a person is stuck, so staff call the right people first: rules on the state alone."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from flows.conversation.state import Conversation, Referral, Status

WAITING_REFERRAL = frozenset({Referral.UNKNOWN, Referral.NEEDED, Referral.UNSURE})
STILL_ON_THE_WAY = frozenset({Status.ACTIVE, Status.COMPLETED})


class Stuck(StrEnum):
    THIS_WEEK = "this-week"  # a visit within REFERRAL_DAYS, records missing or referral not sent
    RECORDS_SOON = "records-soon"  # a visit within RECORDS_DAYS and records still missing
    REFERRAL_SOON = "referral-soon"  # a visit within REFERRAL_DAYS and no referral sent yet
    NO_DATE = "no-date"  # in the program, and no visit date
    NO_ANSWER = "no-answer"  # the visit has passed and nobody told us whether it happened


RECORDS_DAYS = 3
REFERRAL_DAYS = 7
LABELS = {
    Stuck.THIS_WEEK: f"Visit within {REFERRAL_DAYS} days, records missing or referral not sent",
    Stuck.RECORDS_SOON: f"Visit in {RECORDS_DAYS} days or less, records still missing",
    Stuck.REFERRAL_SOON: f"Visit in {REFERRAL_DAYS} days or less, referral not sent",
    Stuck.NO_DATE: "No visit date yet",
    Stuck.NO_ANSWER: "Visit passed, no answer whether it happened",
}


def local_today(conv: Conversation, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(conv.timezone)).date()


def _visit_within(conv: Conversation, today: dt.date, days: int) -> bool:
    return conv.appointment is not None and 0 <= (conv.appointment - today).days <= days


def is_stuck(conv: Conversation, stuck: Stuck, now: dt.datetime) -> bool:
    today = local_today(conv, now)
    if stuck is Stuck.NO_ANSWER:
        passed = conv.appointment is not None and conv.appointment < today
        return conv.status in STILL_ON_THE_WAY and passed and conv.visit_outcome is None
    if conv.status is not Status.ACTIVE:
        return False
    if stuck is Stuck.RECORDS_SOON:
        return _visit_within(conv, today, RECORDS_DAYS) and bool(conv.records_missing)
    if stuck is Stuck.THIS_WEEK:
        waiting = bool(conv.records_missing) or conv.referral in WAITING_REFERRAL
        return _visit_within(conv, today, REFERRAL_DAYS) and waiting
    if stuck is Stuck.REFERRAL_SOON:
        return _visit_within(conv, today, REFERRAL_DAYS) and conv.referral in WAITING_REFERRAL
    return conv.appointment is None


def visit_tomorrow_records_missing(conv: Conversation, now: dt.datetime) -> bool:
    """An alert on the dashboard: tomorrow's visit, in the person's own time, and not ready."""
    tomorrow = local_today(conv, now) + dt.timedelta(days=1)
    active = conv.status is Status.ACTIVE
    return active and conv.appointment == tomorrow and bool(conv.records_missing)
