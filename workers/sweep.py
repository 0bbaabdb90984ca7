"""The beat's sweep: claim due reminders, hand them out, and mend what a crash left behind."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import transaction
from store.models import ConversationRow, ReminderRow
from store.reminders import PENDING, SENDING, claim_due, is_claimed, stale
from workers.deliver import record_sent
from workers.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 1000
MAX_BATCHES = 50  # one sweep hands out at most this many batches, then lets the next one run
Dispatch = Callable[[list[int]], None]


def sweep(rt: Runtime, dispatch: Dispatch) -> dict[str, int]:
    """One run: what it claimed, handed out again and reconciled (tests assert on it)."""
    claimed = 0
    for _ in range(MAX_BATCHES):
        with transaction(rt.sessions) as session:
            ids = claim_due(session, rt.clock(), BATCH)
        if ids:
            dispatch(ids)  # only after the claim has committed
        claimed += len(ids)
        if len(ids) < BATCH:
            break
    redispatched, reconciled = mend(rt, dispatch)
    return {"claimed": claimed, "redispatched": redispatched, "reconciled": reconciled}


def mend(rt: Runtime, dispatch: Dispatch) -> tuple[int, int]:
    """Claims that were never sent go out again; a `sending` row is first looked up at Twilio."""
    now = rt.clock()
    again: list[int] = []
    reconciled = 0
    with transaction(rt.sessions) as session:
        for reminder in stale(session, now, dt.timedelta(seconds=rt.settings.stale_after_seconds)):
            if reminder.status == SENDING:
                reconciled += _reconcile(rt, session, reminder, now)
            if is_claimed(reminder):  # never started, or not found at Twilio
                reminder.claimed_at = now
                again.append(reminder.id)
    if again:
        dispatch(again)
    return len(again), reconciled


def _reconcile(rt: Runtime, session: Session, reminder: ReminderRow, now: dt.datetime) -> bool:
    """Did Twilio take it before the worker died? Ask, instead of sending it twice."""
    query = (
        select(ConversationRow)
        .where(ConversationRow.id == reminder.conversation_id)
        .with_for_update(skip_locked=True)
    )
    row = session.execute(query).scalar_one_or_none()
    if row is None or reminder.sending_at is None:
        return False  # a live worker holds it: leave it alone this time
    since = reminder.sending_at - dt.timedelta(minutes=5)
    if reminder.channel == "call":
        sid = rt.sender.find_call(row.phone, since)
    else:
        sid = rt.sender.find_sent(row.phone, reminder.body or "", since)
    if sid:
        record_sent(session, row, reminder, sid, now)
        log.info("reminder %s: found at Twilio after a crash, not resent", reminder.id)
    else:
        reminder.status = PENDING  # still claimed, its text kept: the same words go out, once
        log.info("reminder %s: not at Twilio, will be sent again", reminder.id)
    return True
