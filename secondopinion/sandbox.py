"""The simulator's sends: a sandbox's due reminders sent by the real send path, kept here.

No text leaves the machine: the sender records it and the simulator shows it as a bubble.
The clock is the sandbox's own, so quiet hours and spacing apply in the patient's time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from sqlalchemy import select

from flows.reminders.sending import NOT_COUNTED
from flows.reminders.window import WEEK, why_not_now
from secondopinion.container import Services
from secondopinion.reminders.send import send_reminders
from store import people, reminders
from store.db import transaction
from store.models import ConversationRow

MAX_STEPS = 200  # a jump walks reminder by reminder; this bounds a walk of many weeks


@dataclasses.dataclass
class SandboxSender:
    """A sender without a network: every text is taken at once and kept for the simulator."""

    texts: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (to, sid)

    def send_sms(self, to: str, body: str) -> str:
        sid = "SM" + secrets.token_hex(16)
        self.texts.append((to, sid))
        return sid

    def find_sent(self, to: str, body: str, since: dt.datetime) -> str | None:
        return None  # nothing is ever half-sent here

    def place_call(self, to: str, url: str, status_callback: str) -> str:
        return "CA" + secrets.token_hex(16)

    def find_call(self, to: str, since: dt.datetime) -> str | None:
        return None


class NoLimit:
    """The sandbox sends to one phone: no rate to keep."""

    def try_acquire(self, key: str) -> bool:
        return True

    def acquire(self, key: str) -> None:
        return None


def conversation_id(svc: Services, phone: str) -> int | None:
    with svc.sessions() as session:
        return session.scalar(select(ConversationRow.id).where(ConversationRow.phone == phone))


def next_due(svc: Services, conversation: int) -> dt.datetime | None:
    """When the sandbox's next pending reminder is due (its own time), if it has one."""
    with svc.sessions() as session:
        return reminders.next_due(session, conversation)


def send_due(
    svc: Services, conversation: int, now: dt.datetime, sender: SandboxSender
) -> list[str]:
    """Claim and send what is due at `now` on the sandbox's clock; what became of each."""
    here = dataclasses.replace(svc, sender=sender, limiter=NoLimit(), clock=lambda: now)
    with transaction(svc.sessions) as session:
        ids = reminders.claim_due(session, now, 50, sandbox=conversation)
    return [send_reminders(here, [reminder_id])[0] for reminder_id in ids]


def walk(
    svc: Services, conversation: int, start: dt.datetime, until: dt.datetime, sender: SandboxSender
) -> list[str]:
    """Move time from `start` to `until`, sending each reminder at the moment it falls due;
    what became of each reminder claimed on the way ("sent", "deferred", "skipped" ...)."""
    outcomes = send_due(svc, conversation, start, sender)
    for _ in range(MAX_STEPS):
        due = next_due(svc, conversation)
        if due is None or due > until:
            break
        claimed = send_due(svc, conversation, max(due, start), sender)
        if not claimed:
            break  # due but not claimable (paused by staff): nothing more happens
        outcomes += claimed
    return outcomes


def why_nothing_went(
    svc: Services, conversation: int | None, at: dt.datetime, outcomes: list[str]
) -> str:
    """Why a walk to the next reminder sent no text: a `flows.reminders.window.Wait`, or
    "not_joined", "paused", "nothing_left", "nothing_to_say" (no longer timely), "later"."""
    if conversation is None:
        return "not_joined"
    with svc.sessions() as session:
        person = people.find(session, conversation)
        if person is None:
            return "not_joined"
        if person.paused or "paused" in outcomes:
            return "paused"
        if reminders.next_due(session, conversation) is None:
            return "nothing_to_say" if "skipped" in outcomes else "nothing_left"
        if "deferred" not in outcomes:
            return "nothing_to_say" if "skipped" in outcomes else "later"
        sends = reminders.recent_sends(session, [conversation], at - WEEK, NOT_COUNTED)
    window = svc.machine.plan.window
    wait = why_not_now(at, person.state.timezone, window, sends[conversation])
    return wait.value if wait else "later"
