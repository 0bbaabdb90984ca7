"""Forgetting people: on request (the dashboard, `secondopinion forget`), and after
RETENTION_DAYS of quiet once a conversation is over (the retention job).

What stays of a forgotten person is what the law asks for: their consent ledger lines
(number, time, kind, channel, the exact text shown, the keyword), no longer tied to a
conversation; their inbound MessageSids alone, so a replayed webhook or a catch-up
changes nothing; and staff's record that an erase was done (masked number only).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from flows import Machine
from flows.conversation.external import StaffAction, StaffChange
from flows.phones import mask
from secondopinion.apply import apply
from secondopinion.container import Services
from store import (
    cases,
    consent,
    heartbeats,
    labels,
    messages,
    milestones,
    people,
    reminders,
    retention,
)
from store import staff as staff_records
from store.db import transaction

log = logging.getLogger(__name__)
BATCH = 100  # people forgotten per transaction by the retention job


def forget(session: Session, person: int) -> None:
    """Everything of a locked person but their consent lines, in one transaction."""
    reminders.erase(session, person)
    cases.erase(session, person)
    labels.erase(session, person)
    milestones.erase(session, person)
    messages.forget(session, person)
    consent.unlink(session, person)
    staff_records.unlink(session, person)
    people.remove(session, person)


def erase(
    session: Session, machine: Machine, person_id: int, by: str, now: dt.datetime
) -> str | None:
    """A request to be forgotten: texts end (a ledger line names who asked), then all else
    goes. The number, for deleting at Twilio too; None when there is no such person."""
    person = people.lock_person(session, person_id)
    if person is None:
        return None
    change = StaffChange(StaffAction.ERASE, by)
    apply(session, machine, person, machine.step(person.state, change, now), now)
    staff_records.record_action(session, None, by, StaffAction.ERASE.value, mask(person.phone), now)
    forget(session, person.id)
    return person.phone


def erase_at_twilio(svc: Services, phone: str) -> int:
    """Twilio's copies of every text to and from the number; how many were deleted."""
    deleted = svc.history.delete_conversation(phone)
    log.info("deleted %d messages of %s at Twilio", deleted, mask(phone))
    return deleted


def expire(svc: Services, now: dt.datetime) -> dict[str, int]:
    """The retention job: forget finished conversations quiet for RETENTION_DAYS (and,
    with RETENTION_AT_TWILIO, Twilio's copies of their texts)."""
    cutoff = now - dt.timedelta(days=svc.settings.retention_days)
    phones: list[str] = []
    while True:
        with transaction(svc.sessions) as session:
            due = retention.quiet_since(session, cutoff, BATCH)
            for person in people.lock_people(session, due).values():  # in id order
                forget(session, person.id)
                phones.append(person.phone)
            heartbeats.beat(session, heartbeats.RETENTION, now)
        if len(due) < BATCH:
            break
    deleted = sum(_at_twilio(svc, phone) for phone in phones)
    if phones:
        log.info("retention: %d finished conversations forgotten", len(phones))
    return {"forgotten": len(phones), "deleted_at_twilio": deleted}


def _at_twilio(svc: Services, phone: str) -> int:
    if not svc.settings.retention_at_twilio:
        return 0
    try:
        return erase_at_twilio(svc, phone)
    except Exception as error:  # forgotten here already; `secondopinion forget` can finish
        log.warning("retention: Twilio's copies of %s stay (%s)", mask(phone), type(error).__name__)
        return 0
