"""Phase two of a send: hand prepared reminders to Twilio while holding their people's rows.

A few reminders per transaction, their people locked just before their turn: a STOP for
someone further down the chunk wins at once, one for someone in the group waits for at
most SEND_GROUP sends, or GROUP_SECONDS of sending when Twilio answers fast enough for
more (and never past LOCK_BUDGET plus one send, nor for the send rate: a group that runs
out of sends lets go and waits), and each text's record is committed moments after Twilio
took it, so its delivery reports find it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from flows.conversation.state import NO_MORE_TEXTS
from flows.reminders.sending import is_staff_text
from secondopinion.container import Services
from secondopinion.delivery import carrier_refused
from secondopinion.reminders.budget import Budget
from secondopinion.reminders.refusals import Refusal, backoff, classify
from store import messages, people, reminders
from store.db import transaction
from store.messages import Sent
from store.reminders import CANCELLED, SENDING, SENT

log = logging.getLogger(__name__)
SEND_GROUP = 5  # reminders sent per transaction at first, and when Twilio is slow
GROUP_SECONDS = 0.5  # later groups: as many sends as took about this long in the last one
MAX_GROUP = 50  # and never more than this many
LOCK_BUDGET = 1.0  # seconds a group may hold its people (a slow Twilio): the rest waits


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
    attempts: int

    def outcome(self, status: str, sid: str | None = None, at: dt.datetime | None = None) -> Any:
        return reminders.outcome(self.id, status, self.call_attempts, sid, at)


@dataclasses.dataclass
class Group:
    """One transaction's work: what to write back, and who was stopped on the way."""

    outcomes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    released: list[int] = dataclasses.field(default_factory=list)
    sent: list[Sent] = dataclasses.field(default_factory=list)
    stopped: set[int] = dataclasses.field(default_factory=set)


def never() -> bool:
    return False


def deliver(
    svc: Services,
    reminder_ids: Sequence[int],
    stopping: Callable[[], bool] = never,
    owners: dict[int, int] | None = None,
) -> dict[int, str]:
    """Send each while holding that person's row, so a STOP waits or wins.

    A worker told to stop (`stopping`, a deploy's SIGTERM) finishes the group it is
    sending and hands the rest back to the sweep; so does one that cannot reach the
    shared send rate (Redis down). Nothing is left `sending` without an answer.
    `owners`: each reminder's person, when the caller has read them already.
    """
    done: dict[int, str] = {}
    if owners is None:
        with svc.sessions() as session:
            owners = reminders.owners_of(session, reminder_ids)
    else:
        owners = {i: owners[i] for i in reminder_ids if i in owners}
    queue = sorted(owners, key=lambda i: (owners[i], i))
    budget = Budget(svc.limiter, svc.settings.sender_key)
    size = SEND_GROUP
    while queue and not stopping() and not budget.down:
        group, queue = queue[:size], queue[size:]
        started, before = time.monotonic(), len(done)
        with transaction(svc.sessions) as session:
            left = _send_group(svc, session, group, owners, done, budget)
        queue = left + queue
        size = group_size(len(done) - before, time.monotonic() - started)
        if budget.short:
            budget.wait()
    if queue:
        _hand_back(svc, queue, done)
    return {i: done.get(i, "not-sending") for i in reminder_ids}  # missing: erased meanwhile


def group_size(sent: int, seconds: float) -> int:
    """The next group: as many sends as fit in GROUP_SECONDS at the last group's pace,
    between SEND_GROUP and MAX_GROUP."""
    if sent <= 0 or seconds <= 0:
        return SEND_GROUP
    return max(SEND_GROUP, min(MAX_GROUP, int(GROUP_SECONDS * sent / seconds)))


def _hand_back(svc: Services, ids: list[int], done: dict[int, str]) -> None:
    with transaction(svc.sessions) as session:
        reminders.hand_back(session, ids)
    done.update(dict.fromkeys(ids, "handed-back"))
    log.info("%d reminders handed back to the sweep, not sent", len(ids))


def _send_group(
    svc: Services,
    session: Session,
    group: list[int],
    owners: dict[int, int],
    done: dict[int, str],
    budget: Budget,
) -> list[int]:
    """Lock, send, record; what is left when time or the send rate ran out goes back."""
    outgoing = _lock(session, group, owners)
    work = Group()
    held_since = time.monotonic()
    left: list[int] = []
    for position, item in enumerate(outgoing):
        outcome = _send_one(svc, session, item, work, budget)
        if outcome is None:  # no send left in this window
            left = [later.id for later in outgoing[position:]]
            break
        done[item.id] = outcome
        if time.monotonic() - held_since > LOCK_BUDGET:
            left = [later.id for later in outgoing[position + 1 :]]
            break
    reminders.record_outcomes(session, work.outcomes)
    reminders.release(session, work.released)
    messages.record_sent(session, work.sent)
    if budget.down:  # handed back in this same transaction, before anyone else sees them
        reminders.hand_back(session, left)
        done.update(dict.fromkeys(left, "handed-back"))
        return []
    return left


def _lock(session: Session, group: list[int], owners: dict[int, int]) -> list[Outgoing]:
    """People first, in id order, then their reminders: the order every writer uses (a
    reminder never changes hands, so its owner read before the transaction still holds)."""
    locked = people.lock_to_send(session, {owners[i] for i in group})
    by_id: dict[int, Outgoing] = {}
    for r in reminders.lock_sending(session, group):
        person = locked.get(r.conversation_id)
        if person is None:
            continue  # both gone if the person was erased meanwhile
        by_id[r.id] = Outgoing(
            id=r.id,
            person=person.id,
            phone=person.phone,
            language=person.language,
            person_status=person.status,
            held=bool(person.paused),
            status=r.status,
            body=r.body,
            channel=r.channel,
            kind=r.kind,
            call_attempts=r.call_attempts,
            attempts=r.attempts,
        )
    return [by_id[i] for i in group if i in by_id]


def _send_one(
    svc: Services, session: Session, item: Outgoing, work: Group, budget: Budget
) -> str | None:
    """What became of one reminder; None when the send rate says not in this window."""
    if item.status != SENDING or not item.body:
        return "not-sending"
    if item.person_status in NO_MORE_TEXTS or item.person in work.stopped:
        work.outcomes.append(item.outcome(CANCELLED))
        return "cancelled"
    if item.held and not is_staff_text(item.kind):  # paused by staff since it was worded
        work.released.append(item.id)
        return "paused"
    if not budget.take():
        return None
    try:
        sid = _hand_over(svc, item)
    except TwilioRestException as error:
        return _refused(svc, session, item, error, work)
    except requests.RequestException:
        log.warning("reminder %s: outcome unknown, left for reconciliation", item.id)
        return _unknown(item, work)
    except Exception:  # an answer the client could not read: the others in the group go on
        log.exception("reminder %s: outcome unknown, left for reconciliation", item.id)
        return _unknown(item, work)
    now = svc.clock()
    work.outcomes.append(item.outcome(SENT, sid, now))
    if item.channel != "call":  # a call is not a message; the reminder row records it
        work.sent.append(Sent(item.person, item.language, item.kind, item.body, sid, now))
    return "sent"


def _hand_over(svc: Services, item: Outgoing) -> str:
    if item.channel == "call":
        item.call_attempts += 1
        query = f"?reminder={item.id}"
        url = svc.settings.public_url(f"/twilio/voice/reminder{query}")
        callback = svc.settings.public_url(f"/twilio/voice/status{query}")
        assert url and callback, "calls are only chosen when PUBLIC_BASE_URL is set"
        return svc.sender.place_call(item.phone, url, callback)
    return svc.sender.send_sms(item.phone, item.body or "")


def _unknown(item: Outgoing, work: Group) -> str:
    """Left `sending` for the sweep to look up at Twilio; a call attempt still counts."""
    if item.channel == "call":
        work.outcomes.append(item.outcome(SENDING))
    return "unknown"


def _refused(
    svc: Services, session: Session, item: Outgoing, error: TwilioRestException, work: Group
) -> str:
    """Retry later, stop texting this person, or fail visibly."""
    now = svc.clock()
    refusal = classify(error)
    code = error.code or error.status
    if refusal is Refusal.RETRY and item.attempts < svc.settings.max_send_attempts:
        retry_at = now + backoff(item.attempts)
        reminders.refused(session, item.id, code, item.call_attempts, retry_at)
        return "retry"
    reminders.refused(session, item.id, code, item.call_attempts, None)
    if refusal in (Refusal.OPTED_OUT, Refusal.UNREACHABLE):
        carrier_refused(session, svc.machine, item.person, error.code, now)
        work.stopped.add(item.person)
    log.warning("reminder %s failed: %s %s", item.id, refusal, code)
    return refusal.value
