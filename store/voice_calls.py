"""The end of a reminder call: no answer, busy or failed gets one more try, then a text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from secondopinion.settings import Settings
from store.models import ReminderRow
from store.reminders import SENT, reschedule

UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})


def call_finished(
    session: Session, reminder_id: int, status: str, now: dt.datetime, settings: Settings
) -> None:
    query = select(ReminderRow).where(ReminderRow.id == reminder_id).with_for_update()
    reminder = session.execute(query).scalar_one_or_none()
    if reminder is None or reminder.status != SENT or reminder.channel != "call":
        return  # a repeated or late callback changes nothing
    if status not in UNANSWERED:
        return
    if reminder.call_attempts < settings.call_attempts:
        retry = now + dt.timedelta(minutes=settings.call_retry_minutes)
        reschedule(reminder, retry)  # quiet hours apply when it is due
    else:
        reschedule(reminder, now)
        reminder.channel = "sms"
    reminder.sid = None
