"""Phase two of a send: hand prepared reminders to Twilio while holding their people's rows.

The common case (sent, or cancelled because the person stopped) is read and written with
plain statements, a few per group of reminders; a refusal from Twilio, which is rare and
may end texting altogether, goes through the ORM and the same code as everywhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import Any

import requests
from sqlalchemy import Connection, String, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from flows.state import NO_MORE_TEXTS
from store.db import transaction
from store.delivery import stop_texting
from store.models import ConversationRow, MessageRow, ReminderRow
from store.people import ReminderHoldRow
from store.reminders import CANCELLED, FAILED, PENDING, SENDING, SENT, reschedule
from store.types import UTCDateTime
from workers.outcomes import Refusal, backoff, classify
from workers.ratelimit import RateLimiter
from workers.runtime import Runtime

log = logging.getLogger(__name__)
SEND_GROUP = 5  # reminders sent per transaction: a STOP waits for at most these sends
LOCK_BUDGET = 1.0  # seconds a group may hold its people (a slow Twilio): the rest waits

_RECORD = (  # what happened to a send; a sid or time already there is kept (a call retry)
    update(ReminderRow)
    .where(ReminderRow.id == bindparam("reminder"))
    .values(
        status=bindparam("new_status"),
        sid=func.coalesce(bindparam("new_sid", type_=String()), ReminderRow.sid),
        sent_at=func.coalesce(bindparam("new_sent_at", type_=UTCDateTime()), ReminderRow.sent_at),
        call_attempts=bindparam("new_call_attempts"),
    )
)
_RELEASE = (  # paused before its turn: back to waiting, worded again when it goes out
    update(ReminderRow)
    .where(ReminderRow.id == bindparam("reminder"))
    .values(
        status=PENDING,
        claimed_at=None,
        sending_at=None,
        body=None,
        spoken=None,
        attempts=ReminderRow.attempts - 1,
    )
)


@dataclasses.dataclass(slots=True)
class Outgoing:
    """What sending needs of one reminder and its person, read under their locks."""

    id: int
    person: int
    phone: str
    language: str
    person_status: str
    held: bool
    status: str
    body: str | None
    channel: str
    kind: str
    call_attempts: int

    def record(self, status: str, sid: str | None = None, at: dt.datetime | None = None) -> Any:
        return {
            "reminder": self.id,
            "new_status": status,
            "new_sid": sid,
            "new_sent_at": at,
            "new_call_attempts": self.call_attempts,
        }


@dataclasses.dataclass
class Group:
    """One transaction's work: what to write back, and who was stopped on the way."""

    records: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    released: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    messages: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    stopped: set[int] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class Budget:
    """The shared send rate, taken one send at a time just before each send."""

    limiter: RateLimiter
    key: str
    banked: bool = False  # one send already waited for, with no one locked
    short: bool = False  # the window ran out while people were locked

    def take(self) -> bool:
        if self.banked:
            self.banked = False
            return True
        self.short = not self.limiter.try_acquire(self.key)
        return not self.short

    def wait(self) -> None:
        """Wait for the next send with no one locked, and keep it for the next group."""
        self.limiter.acquire(self.key)
        self.banked, self.short = True, False


def deliver(rt: Runtime, reminder_ids: Sequence[int]) -> dict[int, str]:
    """Send each while holding that person's row, so a STOP waits or wins.

    SEND_GROUP reminders per transaction, their people locked just before (in id order, as
    every writer takes them): a STOP for someone further down the chunk wins at once, one for
    someone in the group waits for at most SEND_GROUP sends (and never past LOCK_BUDGET plus
    one send, nor for the send rate: a group that runs out of sends lets go and waits), and
    each text's record is committed moments after Twilio took it, so its delivery reports
    find it.
    """
    done: dict[int, str] = {}
    owners = _owners(rt, reminder_ids)
    queue = sorted(owners, key=lambda i: (owners[i], i))
    budget = Budget(rt.limiter, rt.settings.sender_key)
    while queue:
        group, queue = queue[:SEND_GROUP], queue[SEND_GROUP:]
        with transaction(rt.sessions) as session:
            left = _send_group(rt, session, group, done, budget)
        queue = left + queue
        if budget.short:
            budget.wait()
    return {i: done.get(i, "not-sending") for i in reminder_ids}  # missing: erased meanwhile


def _owners(rt: Runtime, reminder_ids: Sequence[int]) -> dict[int, int]:
    """Whose each reminder is (a reminder never changes hands, so no lock is needed)."""
    with rt.sessions() as session:
        query = select(ReminderRow.id, ReminderRow.conversation_id)
        rows = session.execute(query.where(ReminderRow.id.in_(reminder_ids)))
        return {reminder_id: person for reminder_id, person in rows}


def _send_group(
    rt: Runtime, session: Session, group: list[int], done: dict[int, str], budget: Budget
) -> list[int]:
    """Lock, send, record; what is left when time or the send rate ran out goes back."""
    connection = session.connection()
    outgoing = _lock(connection, group)
    work = Group()
    held_since = time.monotonic()
    left: list[int] = []
    for position, item in enumerate(outgoing):
        outcome = _send_one(rt, session, item, work, budget)
        if outcome is None:  # no send left in this window
            left = [later.id for later in outgoing[position:]]
            break
        done[item.id] = outcome
        if time.monotonic() - held_since > LOCK_BUDGET:
            left = [later.id for later in outgoing[position + 1 :]]
            break
    if work.records:
        connection.execute(_RECORD, work.records)
    if work.released:
        connection.execute(_RELEASE, work.released)
    if work.messages:
        connection.execute(insert(MessageRow), work.messages)
    return left


def _lock(connection: Connection, group: list[int]) -> list[Outgoing]:
    """People first, in id order, then their reminders: the order every writer uses."""
    owners = select(ReminderRow.conversation_id).where(ReminderRow.id.in_(group))
    people = {
        row.id: row
        for row in connection.execute(
            select(
                ConversationRow.id,
                ConversationRow.phone,
                ConversationRow.language,
                ConversationRow.status,
                exists().where(ReminderHoldRow.conversation_id == ConversationRow.id).label("held"),
            )
            .where(ConversationRow.id.in_(owners))
            .order_by(ConversationRow.id)
            .with_for_update()
        )
    }
    reminders = connection.execute(
        select(
            ReminderRow.id,
            ReminderRow.conversation_id,
            ReminderRow.status,
            ReminderRow.body,
            ReminderRow.channel,
            ReminderRow.kind,
            ReminderRow.call_attempts,
        )
        .where(ReminderRow.id.in_(group))
        .order_by(ReminderRow.id)
        .with_for_update()
    )
    by_id = {
        r.id: Outgoing(
            id=r.id,
            person=r.conversation_id,
            phone=people[r.conversation_id].phone,
            language=people[r.conversation_id].language,
            person_status=people[r.conversation_id].status,
            held=people[r.conversation_id].held,
            status=r.status,
            body=r.body,
            channel=r.channel,
            kind=r.kind,
            call_attempts=r.call_attempts,
        )
        for r in reminders
        if r.conversation_id in people  # both gone if the person was erased meanwhile
    }
    return [by_id[i] for i in group if i in by_id]


def _send_one(
    rt: Runtime, session: Session, item: Outgoing, work: Group, budget: Budget
) -> str | None:
    """What became of one reminder; None when the send rate says not in this window."""
    if item.status != SENDING or not item.body:
        return "not-sending"
    if item.person_status in NO_MORE_TEXTS or item.person in work.stopped:
        work.records.append(item.record(CANCELLED))
        return "cancelled"
    if item.held:  # paused by staff since it was worded
        work.released.append({"reminder": item.id})
        return "paused"
    if not budget.take():
        return None
    try:
        sid = _hand_over(rt, item)
    except TwilioRestException as error:
        return _refused(rt, session, item, error, work)
    except requests.RequestException:
        log.warning("reminder %s: outcome unknown, left for reconciliation", item.id)
        return _unknown(item, work)
    except Exception:  # an answer the client could not read: the others in the group go on
        log.exception("reminder %s: outcome unknown, left for reconciliation", item.id)
        return _unknown(item, work)
    now = rt.clock()
    work.records.append(item.record(SENT, sid, now))
    if item.channel != "call":  # a call is not a message; the reminder row records it
        work.messages.append(_message(item.person, item.language, item.kind, item.body, sid, now))
    return "sent"


def _hand_over(rt: Runtime, item: Outgoing) -> str:
    if item.channel == "call":
        item.call_attempts += 1
        query = f"?reminder={item.id}"
        url = rt.settings.public_url(f"/twilio/voice/reminder{query}")
        callback = rt.settings.public_url(f"/twilio/voice/status{query}")
        assert url and callback, "calls are only chosen when PUBLIC_BASE_URL is set"
        return rt.sender.place_call(item.phone, url, callback)
    return rt.sender.send_sms(item.phone, item.body or "")


def _unknown(item: Outgoing, work: Group) -> str:
    """Left `sending` for the sweep to look up at Twilio; a call attempt still counts."""
    if item.channel == "call":
        work.records.append(item.record(SENDING))
    return "unknown"


def _refused(
    rt: Runtime, session: Session, item: Outgoing, error: TwilioRestException, work: Group
) -> str:
    """Retry later, stop texting this person, or fail visibly: through the ORM, as elsewhere."""
    now = rt.clock()
    row = session.get_one(ConversationRow, item.person)  # both already locked above
    reminder = session.get_one(ReminderRow, item.id)
    reminder.call_attempts = item.call_attempts
    refusal = classify(error)
    reminder.error_code = error.code or error.status
    if refusal is Refusal.RETRY and reminder.attempts < rt.settings.max_send_attempts:
        reschedule(reminder, now + backoff(reminder.attempts))
        return "retry"
    reminder.status = FAILED
    if refusal in (Refusal.OPTED_OUT, Refusal.UNREACHABLE):
        stop_texting(session, row, error.code, now, rt.machine.plan)
        work.stopped.add(item.person)
    log.warning("reminder %s failed: %s %s", reminder.id, refusal, reminder.error_code)
    return refusal.value


def record_sent(
    session: Session, row: ConversationRow, reminder: ReminderRow, sid: str, now: dt.datetime
) -> None:
    """A send found at Twilio after a crash: mark it sent and keep the text in the history."""
    reminder.status, reminder.sid, reminder.sent_at = SENT, sid, now
    if reminder.channel != "call":
        message = _message(row.id, row.language, reminder.kind, reminder.body, sid, now)
        session.execute(insert(MessageRow), [message])


def _message(
    person: int, language: str, kind: str, body: str | None, sid: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "conversation_id": person,
        "direction": "out",
        "sid": sid,
        "body": body or "",
        "key": kind,
        "language": language,
        "status": "queued",
        "created_at": now,
    }
