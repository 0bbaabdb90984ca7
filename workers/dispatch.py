"""Sending reminders: claim, decide, mark `sending`, send, record. No Celery in here."""

from __future__ import annotations

import datetime as dt
import logging

import requests
from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from flows import Status
from flows.reminders import ReminderDue, needs_enrolment
from flows.state import Conversation
from flows.window import earliest_slot
from store.conversations import save_state, to_state
from store.db import transaction
from store.delivery import stop_texting
from store.models import ConsentEventRow, ConversationRow, MessageRow, ReminderRow
from store.reminders import CANCELLED, CLAIMED, FAILED, PENDING, SENDING, SENT, SKIPPED, replan
from workers.outcomes import Refusal, backoff, classify
from workers.runtime import Runtime

log = logging.getLogger(__name__)
RECENT = dt.timedelta(days=1)


def _lock(session: Session, reminder_id: int) -> tuple[ConversationRow | None, ReminderRow | None]:
    """Conversation first, then reminder: the same lock order as an inbound text."""
    conversation_id = session.scalar(
        select(ReminderRow.conversation_id).where(ReminderRow.id == reminder_id)
    )
    if conversation_id is None:
        return None, None
    row = session.execute(
        select(ConversationRow).where(ConversationRow.id == conversation_id).with_for_update()
    ).scalar_one_or_none()
    reminder = session.execute(
        select(ReminderRow).where(ReminderRow.id == reminder_id).with_for_update()
    ).scalar_one_or_none()
    return row, reminder


def _recent_sends(session: Session, conversation_id: int, now: dt.datetime) -> list[dt.datetime]:
    query = select(ReminderRow.sending_at).where(
        ReminderRow.conversation_id == conversation_id,
        ReminderRow.status.in_((SENT, SENDING)),
        ReminderRow.sending_at > now - RECENT,
    )
    return [t for t in session.scalars(query) if t is not None]


def _consented(session: Session, conversation_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    ConsentEventRow.conversation_id == conversation_id,
                    ConsentEventRow.kind == "opt_in",
                )
            )
        )
    )


def prepare(rt: Runtime, reminder_id: int, now: dt.datetime) -> str:
    """Phase one: decide what to send and commit `sending` with its text, before any network."""
    with transaction(rt.sessions) as session:
        row, reminder = _lock(session, reminder_id)
        if row is None or reminder is None or reminder.status != CLAIMED:
            return "not-claimed"
        conv = to_state(row)
        if not _may_send(session, row, conv, reminder.kind):
            reminder.status = CANCELLED
            return "cancelled"
        slot = earliest_slot(
            now, conv.timezone, rt.machine.plan.window, _recent_sends(session, row.id, now)
        )
        if slot > now:
            reminder.status, reminder.due_at = PENDING, slot
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
        return "prepared"


def _may_send(session: Session, row: ConversationRow, conv: Conversation, kind: str) -> bool:
    """Only to people who said yes (calls included: no calls to numbers that never enrolled)."""
    if conv.status in (Status.OPTED_OUT, Status.UNREACHABLE):
        return False
    if not needs_enrolment(kind):
        return True
    return conv.can_receive and _consented(session, row.id)


def _channel(rt: Runtime, conv: Conversation, reminder: ReminderRow) -> str:
    """A call when the person chose calls, until the calls for this reminder are used up."""
    wants_call = conv.calls and reminder.kind in rt.machine.plan.kinds and reminder.spoken
    calls_left = reminder.call_attempts < rt.settings.call_attempts
    can_call = bool(rt.settings.public_base_url)  # Twilio needs a URL to fetch the call's words
    return "call" if wants_call and calls_left and can_call else "sms"


def deliver(rt: Runtime, reminder_id: int, now: dt.datetime) -> str:
    """Phase two: send while holding the conversation's lock, so a STOP waits or wins."""
    with transaction(rt.sessions) as session:
        row, reminder = _lock(session, reminder_id)
        if row is None or reminder is None or reminder.status != SENDING or not reminder.body:
            return "not-sending"
        if row.status in (Status.OPTED_OUT, Status.UNREACHABLE):
            reminder.status = CANCELLED
            return "cancelled"
        rt.limiter.acquire(rt.settings.sender_key)
        try:
            sid = _hand_over(rt, row, reminder)
        except TwilioRestException as error:
            return _refused(rt, session, row, reminder, error, now)
        except requests.RequestException:
            log.warning("reminder %s: outcome unknown, left for reconciliation", reminder.id)
            return "unknown"
        record_sent(session, row, reminder, sid, now)
        return "sent"


def _hand_over(rt: Runtime, row: ConversationRow, reminder: ReminderRow) -> str:
    if reminder.channel == "call":
        reminder.call_attempts += 1
        query = f"?reminder={reminder.id}"
        url = rt.settings.public_url(f"/twilio/voice/reminder{query}")
        callback = rt.settings.public_url(f"/twilio/voice/status{query}")
        assert url and callback, "calls are only chosen when PUBLIC_BASE_URL is set"
        return rt.sender.place_call(row.phone, url, callback)
    return rt.sender.send_sms(row.phone, reminder.body or "")


def record_sent(
    session: Session, row: ConversationRow, reminder: ReminderRow, sid: str, now: dt.datetime
) -> None:
    reminder.status, reminder.sid, reminder.sent_at = SENT, sid, now
    if reminder.channel == "call":
        return  # a call is not a message; the reminder row records it
    session.add(
        MessageRow(
            conversation_id=row.id,
            direction="out",
            sid=sid,
            body=reminder.body or "",
            key=reminder.kind,
            language=row.language,
            status="queued",
            created_at=now,
        )
    )


def _refused(
    rt: Runtime,
    session: Session,
    row: ConversationRow,
    reminder: ReminderRow,
    error: TwilioRestException,
    now: dt.datetime,
) -> str:
    refusal = classify(error)
    reminder.error_code = error.code or error.status
    if refusal is Refusal.RETRY and reminder.attempts < rt.settings.max_send_attempts:
        reminder.status, reminder.due_at = PENDING, now + backoff(reminder.attempts)
        return "retry"
    reminder.status = FAILED
    if refusal in (Refusal.OPTED_OUT, Refusal.UNREACHABLE):
        stop_texting(session, row, error.code, now, rt.machine.plan)
    log.warning("reminder %s failed: %s %s", reminder.id, refusal, reminder.error_code)
    return refusal.value


def send_reminder(rt: Runtime, reminder_id: int) -> str:
    """Both phases, each with the clock read when it starts."""
    prepared = prepare(rt, reminder_id, rt.clock())
    if prepared != "prepared":
        return prepared
    return deliver(rt, reminder_id, rt.clock())
