"""A person's case, kept in step with their conversation, and what staff do to it.

Every function here runs with the person already locked (the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy.orm import Session

from flows.conversation.outcome import CaseChange, Consent
from flows.inbox import case as lifecycle
from flows.inbox.case import CaseClosed, CloseReason
from store import cases, people
from store.cases import Stored
from store.staff import record_action

STOPPED_BY = {"sms": "patient", "voice": "patient", "carrier": "carrier", "staff": "staff"}


def follow(
    session: Session,
    person: int,
    change: CaseChange | None,
    consent: Consent | None,
    texted: bool,
    now: dt.datetime,
) -> None:
    """A question opens a case (or joins the open one), any later text goes to it, and
    texts ending closes it. `texted`: the person texted while a case of theirs is open."""
    if change is None and not texted:
        return  # a reminder, a keypress, a delivery report, a text with no case open
    found = cases.open_of(session, person)
    if change is CaseChange.CLOSE:
        if found is not None:
            by = STOPPED_BY.get(consent.channel, "carrier") if consent else "carrier"
            cases.save(session, found, lifecycle.closed(found.case, by, CloseReason.STOPPED, now))
        return
    if found is not None:
        cases.save(session, found, lifecycle.patient_wrote(found.case, now))
    elif change is CaseChange.OPEN:
        cases.add(session, person, lifecycle.opened(now))


class Result(StrEnum):
    DONE = "done"
    NOT_FOUND = "not-found"
    CLOSED = "closed"  # closed meanwhile (the patient said STOP, or someone else closed it)


def locked(session: Session, case_id: int) -> Stored | None:
    """The case, with its person locked first (the order every writer keeps)."""
    found = cases.find(session, case_id)
    if found is None or people.lock_person(session, found.person) is None:
        return None
    return cases.lock(session, case_id)


def assign(session: Session, case_id: int, who: str, by: str, now: dt.datetime) -> Result:
    """Give the case to `who` (staff "assign to me")."""
    found = locked(session, case_id)
    if found is None:
        return Result.NOT_FOUND
    try:
        cases.save(session, found, lifecycle.assigned(found.case, who))
    except CaseClosed:
        return Result.CLOSED
    record_action(session, found.person, by, "case-assign", f"case {case_id} to {who}", now)
    return Result.DONE


def close(session: Session, case_id: int, by: str, now: dt.datetime) -> Result:
    found = locked(session, case_id)
    if found is None:
        return Result.NOT_FOUND
    if not found.case.is_open:
        return Result.CLOSED
    cases.save(session, found, lifecycle.closed(found.case, by, CloseReason.DONE, now))
    record_action(session, found.person, by, "case-close", f"case {case_id}", now)
    return Result.DONE
