"""Twilio's delivery reports, and what a refusal from the carrier does to a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from flows import Machine
from flows.conversation.external import CarrierRefused, ends_texting
from secondopinion.apply import apply
from store import messages, people


def delivery_report(
    session: Session,
    machine: Machine,
    sid: str,
    status: str,
    error_code: int | None,
    now: dt.datetime,
) -> bool:
    """Apply one callback; False when the sid is unknown. Late or repeated ones change nothing."""
    person = messages.record_status(session, sid, status, error_code)
    if person is None:
        return False
    if error_code is not None and ends_texting(error_code):
        carrier_refused(session, machine, person, error_code, now)
    return True


def carrier_refused(
    session: Session, machine: Machine, person_id: int, code: int, now: dt.datetime
) -> None:
    """21610 (unsubscribed) or 21211 / 21614 (not textable): texts to this person end."""
    person = people.lock_person(session, person_id)
    if person is not None:
        apply(session, machine, person, machine.step(person.state, CarrierRefused(code), now), now)
