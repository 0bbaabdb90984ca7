"""The simulator's sends: a sandbox's due reminders sent by the real send path, kept here.

No text leaves the machine: the sender records it and the simulator shows it as a bubble.
The clock is the sandbox's own, so quiet hours and spacing apply in the patient's time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from sqlalchemy import select

from secondopinion.container import Services
from secondopinion.reminders.send import send_reminders
from store import reminders
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


def send_due(svc: Services, conversation: int, now: dt.datetime, sender: SandboxSender) -> int:
    """Claim and send what is due at `now` on the sandbox's clock; how many were claimed."""
    here = dataclasses.replace(svc, sender=sender, limiter=NoLimit(), clock=lambda: now)
    with transaction(svc.sessions) as session:
        ids = reminders.claim_due(session, now, 50, sandbox=conversation)
    for reminder_id in ids:
        send_reminders(here, [reminder_id])
    return len(ids)


def walk(
    svc: Services, conversation: int, start: dt.datetime, until: dt.datetime, sender: SandboxSender
) -> None:
    """Move time from `start` to `until`, sending each reminder at the moment it falls due."""
    send_due(svc, conversation, start, sender)
    for _ in range(MAX_STEPS):
        due = next_due(svc, conversation)
        if due is None or due > until:
            return
        if not send_due(svc, conversation, max(due, start), sender):
            return  # due but not claimable (paused by staff): nothing more happens
