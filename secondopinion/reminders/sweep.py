"""The beat's sweep: claim due reminders, hand them out, and mend what a crash left behind."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from secondopinion import catchup
from secondopinion.container import Services
from store import heartbeats, messages, people, reminders
from store.db import transaction
from store.messages import Sent
from store.models import ReminderRow
from store.reminders import SENDING

log = logging.getLogger(__name__)
BATCH = 1000
MAX_BATCHES = 50  # one sweep hands out at most this many batches, then lets the next one run
HAND_OUT = 4 * BATCH  # a backlog is handed out this many at a time: tasks of a few hundred...
FAST = 500.0  # ...when the shared send rate is at least this (texts/s): the workers' CPU is
# the limit then, and a task costs a worker much the same whatever its size. Below it the
# rate is the limit, and smaller tasks keep the sending order close to the due order.
TASK_SECONDS = 2.0  # a task holds about this much sending at the shared send rate...
MIN_TASKS = 16  # ...and what a sweep hands out at once is cut in at least this many
Dispatch = Callable[[list[int]], None]


def chunk_size(count: int, per_second: float) -> int:
    """Ids per task: at most TASK_SECONDS of sending at the shared rate (a task that waits
    for the rate holds no one, but a deploy's stop hands back less), and small enough that
    the batch makes MIN_TASKS tasks, so every thread and worker process gets some."""
    by_rate = max(1, int(per_second * TASK_SECONDS))
    return max(1, min(by_rate, -(-count // MIN_TASKS)))


def sweep(svc: Services, dispatch: Dispatch) -> dict[str, int]:
    """One run: what it claimed, handed out again and reconciled (tests assert on it).

    After an outage, texts people sent meanwhile are read from Twilio first: a STOP
    among them must be honoured before any reminder goes out.
    """
    waiting = _texts_caught_up(svc)
    if waiting is None:
        return {"claimed": 0, "redispatched": 0, "reconciled": 0, "held": 1}
    claimed, ready = 0, []
    hand_out = HAND_OUT if svc.settings.send_rate_per_second >= FAST else BATCH
    for _ in range(MAX_BATCHES):
        with transaction(svc.sessions) as session:
            ids = reminders.claim_due(session, svc.clock(), BATCH, hold=waiting)
        ready += ids
        claimed += len(ids)
        # A backlog at a fast rate is handed out HAND_OUT at a time: its tasks are cut
        # larger (a task costs a worker much the same whatever its size), still as many.
        if ready and (len(ready) >= hand_out or len(ids) < BATCH):
            dispatch(ready)  # only after the claims have committed
            ready = []
        if len(ids) < BATCH:
            break
    if ready:
        dispatch(ready)
    redispatched, reconciled = mend(svc, dispatch)
    with transaction(svc.sessions) as session:
        heartbeats.beat(session, heartbeats.SWEEP, svc.clock())
    return {"claimed": claimed, "redispatched": redispatched, "reconciled": reconciled}


def _texts_caught_up(svc: Services) -> list[int] | None:
    """Missed texts stepped first; the people whose newest texts are still on their way
    in (to be left alone this time), or None when Twilio's log cannot be read."""
    try:
        texts = catchup.catch_up_texts(svc, svc.clock())
    except Exception as error:  # no reminder before what people sent is known
        log.warning("sweep held: texts at Twilio could not be checked (%s)", type(error).__name__)
        return None
    with svc.sessions() as session:
        return people.ids_of(session, texts.waiting)


def mend(svc: Services, dispatch: Dispatch) -> tuple[int, int]:
    """Claims that were never sent go out again; a `sending` row is first looked up at Twilio."""
    now = svc.clock()
    again: list[int] = []
    reconciled = 0
    older_than = dt.timedelta(seconds=svc.settings.stale_after_seconds)
    with transaction(svc.sessions) as session:
        for reminder in reminders.stale(session, now, older_than):
            if reminder.status == SENDING:
                reconciled += _reconcile(svc, session, reminder, now)
            if reminders.is_claimed(reminder):  # never started, or not found at Twilio
                reminders.claim_again(reminder, now)
                again.append(reminder.id)
    if again:
        dispatch(again)
    return len(again), reconciled


def _reconcile(svc: Services, session: Session, reminder: ReminderRow, now: dt.datetime) -> bool:
    """Did Twilio take it before the worker died? Ask, instead of sending it twice."""
    person = people.lock_people(session, [reminder.conversation_id], skip_locked=True).get(
        reminder.conversation_id
    )
    if person is None or reminder.sending_at is None:
        return False  # a live worker holds it: leave it alone this time
    since = reminder.sending_at - dt.timedelta(minutes=5)
    if reminder.channel == "call":
        sid = svc.sender.find_call(person.phone, since)
    else:
        sid = svc.sender.find_sent(person.phone, reminder.body or "", since)
    if sid:
        reminders.found_at_twilio(reminder, sid, now)
        if reminder.channel != "call":
            text = Sent(
                person.id, person.state.language.value, reminder.kind, reminder.body or "", sid, now
            )
            messages.record_sent(session, [text])
        log.info("reminder %s: found at Twilio after a crash, not resent", reminder.id)
    else:
        reminders.not_at_twilio(reminder)
        log.info("reminder %s: not at Twilio, will be sent again", reminder.id)
    return True
