"""Sending reminders a chunk at a time: decide and mark `sending`, then send and record.

Phase one (here) is one transaction for the whole chunk with a fixed number of statements;
phase two (workers.deliver) sends a few at a time under their people's locks. A worker's
time goes to composing and sending rather than to per-reminder round trips. No Celery here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.reminders import ReminderDue, needs_enrolment
from flows.state import NO_MORE_TEXTS, Conversation
from flows.window import earliest_slot
from store.conversations import save_state, to_state
from store.db import transaction
from store.models import ConsentEventRow, ConversationRow, ReminderRow
from store.people import ReminderHoldRow, held_conversations
from store.reminders import (
    CANCELLED,
    SENDING,
    SENT,
    SKIPPED,
    is_claimed,
    replan,
    reschedule,
)
from workers.deliver import deliver
from workers.runtime import Runtime

log = logging.getLogger(__name__)
RECENT = dt.timedelta(days=1)


@dataclasses.dataclass
class Locked:
    """A chunk's rows, locked for one phase: its people, then its reminders in the order asked."""

    people: dict[int, ConversationRow]
    reminders: list[ReminderRow]

    def person(self, reminder: ReminderRow) -> ConversationRow:
        return self.people[reminder.conversation_id]


def _lock(session: Session, reminder_ids: Sequence[int]) -> Locked:
    """People first, in id order, then their reminders: the order every other writer uses."""
    owners = select(ReminderRow.conversation_id).where(ReminderRow.id.in_(reminder_ids))
    people = session.scalars(
        select(ConversationRow)
        .where(ConversationRow.id.in_(owners))
        .order_by(ConversationRow.id)
        .with_for_update()
    ).all()
    found = session.scalars(
        select(ReminderRow)
        .where(ReminderRow.id.in_(reminder_ids))
        .order_by(ReminderRow.id)
        .with_for_update()
    ).all()
    by_id = {reminder.id: reminder for reminder in found}
    return Locked(
        people={row.id: row for row in people},
        reminders=[by_id[i] for i in dict.fromkeys(reminder_ids) if i in by_id],
    )


def _recent_sends(
    session: Session, people: Collection[int], now: dt.datetime
) -> dict[int, list[dt.datetime]]:
    """When each person was last texted or called, over the last day (spacing, daily cap)."""
    query = select(ReminderRow.conversation_id, ReminderRow.sending_at).where(
        ReminderRow.conversation_id.in_(people),
        ReminderRow.status.in_((SENT, SENDING)),
        ReminderRow.sending_at > now - RECENT,
    )
    recent: dict[int, list[dt.datetime]] = defaultdict(list)
    for person, at in session.execute(query):
        if at is not None:
            recent[person].append(at)
    return recent


def _consented(session: Session, people: Collection[int]) -> set[int]:
    """Who, among these people, has a consent record."""
    query = select(ConsentEventRow.conversation_id).where(
        ConsentEventRow.conversation_id.in_(people), ConsentEventRow.kind == "opt_in"
    )
    return set(session.scalars(query.distinct()))


def prepare(rt: Runtime, reminder_ids: Sequence[int], now: dt.datetime) -> dict[int, str]:
    """Phase one: decide what to send and commit `sending` with its text, before any network."""
    with transaction(rt.sessions) as session:
        locked = _lock(session, reminder_ids)
        consented = _consented(session, locked.people)
        recent = _recent_sends(session, locked.people, now)
        held = _held(session, locked.people)
        done = {
            reminder.id: (
                _release(reminder)
                if reminder.conversation_id in held
                else _prepare_one(
                    rt, session, locked.person(reminder), reminder, consented, recent, now
                )
            )
            for reminder in locked.reminders
        }
    return {i: done.get(i, "not-claimed") for i in reminder_ids}


def _held(session: Session, people: Collection[int]) -> set[int]:
    """Who, among these people, staff have paused since the sweep took their reminders."""
    query = held_conversations().where(ReminderHoldRow.conversation_id.in_(people))
    return set(session.scalars(query))


def _release(reminder: ReminderRow) -> str:
    """Not sent while paused: the claim is dropped, and resuming replans it."""
    if not is_claimed(reminder):
        return "not-claimed"
    reschedule(reminder, reminder.due_at)
    return "paused"


def _prepare_one(
    rt: Runtime,
    session: Session,
    row: ConversationRow,
    reminder: ReminderRow,
    consented: set[int],
    recent: dict[int, list[dt.datetime]],
    now: dt.datetime,
) -> str:
    if not is_claimed(reminder):
        return "not-claimed"
    if reminder.due_at > now:  # moved to later since the sweep took it: its claim is void
        reschedule(reminder, reminder.due_at)
        return "not-due"
    conv = to_state(row)
    if not _may_send(row, conv, reminder.kind, consented):
        reminder.status = CANCELLED
        return "cancelled"
    slot = earliest_slot(now, conv.timezone, rt.machine.plan.window, recent[row.id])
    if slot > now:
        reschedule(reminder, slot)
        return "deferred"
    if reminder.body is None:  # decided once; a retry sends the same words
        outcome = rt.machine.step(conv, ReminderDue(reminder.kind), now)
        save_state(row, outcome.conversation, now)
        if outcome.reply is None:
            reminder.status = SKIPPED
            return "skipped"
        reminder.body = rt.machine.render(outcome.reply)
        if reminder.kind in rt.machine.plan.kinds:  # only planned reminders can be calls
            reminder.spoken = rt.machine.render(outcome.reply, channel="voice")
        if outcome.replan:
            replan(session, row.id, outcome.conversation, now, rt.machine.plan)
    reminder.channel = _channel(rt, conv, reminder)
    reminder.status, reminder.sending_at = SENDING, now
    reminder.attempts += 1
    recent[row.id].append(now)  # the next reminder for this person in the chunk waits
    return "prepared"


def _may_send(row: ConversationRow, conv: Conversation, kind: str, consented: set[int]) -> bool:
    """Only to people who said yes (calls included: no calls to numbers that never enrolled)."""
    if conv.status in NO_MORE_TEXTS:
        return False
    if not needs_enrolment(kind):
        return True
    return conv.can_receive and row.id in consented


def _channel(rt: Runtime, conv: Conversation, reminder: ReminderRow) -> str:
    """A call when the person chose calls, until the calls for this reminder are used up."""
    wants_call = conv.calls and reminder.kind in rt.machine.plan.kinds and reminder.spoken
    calls_left = reminder.call_attempts < rt.settings.call_attempts
    can_call = bool(rt.settings.public_base_url)  # Twilio needs a URL to fetch the call's words
    return "call" if wants_call and calls_left and can_call else "sms"


def send_reminders(rt: Runtime, reminder_ids: Sequence[int]) -> list[str]:
    """Both phases for a chunk, each with the clock read when it starts; one outcome per id.

    If the chunk fails as a whole (a bug or a database error in one reminder), each reminder
    is tried again on its own, so one bad row cannot hold back the rest.
    """
    try:
        return _send_chunk(rt, reminder_ids)
    except Exception:
        if len(reminder_ids) == 1:  # left claimed or `sending`: the sweep's mend() takes it again
            log.exception("reminder %s: send failed", reminder_ids[0])
            return ["error"]
        log.exception("a chunk of %d reminders failed; trying each alone", len(reminder_ids))
    return [send_reminder(rt, reminder_id) for reminder_id in reminder_ids]


def _send_chunk(rt: Runtime, reminder_ids: Sequence[int]) -> list[str]:
    outcomes = prepare(rt, reminder_ids, rt.clock())
    ready = [i for i in reminder_ids if outcomes[i] == "prepared"]
    if ready:
        outcomes.update(deliver(rt, ready))
    return [outcomes[i] for i in reminder_ids]


def send_reminder(rt: Runtime, reminder_id: int) -> str:
    """One reminder: a chunk of one."""
    return send_reminders(rt, [reminder_id])[0]
