"""A case in the staff inbox, pure: opened by a patient's question (or by staff texting
first), assigned, answered, closed. A STOP closes it, whoever holds it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

PATIENT = "patient"  # who opened a case the patient's own text opened


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CloseReason(StrEnum):
    DONE = "done"  # staff closed it
    STOPPED = "stopped"  # texts to the person ended (STOP, the carrier, staff opt-out)


class CaseClosed(Exception):
    """Staff acted on a case that was closed meanwhile (the patient said STOP, say)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    opened_at: dt.datetime
    opened_by: str = PATIENT
    status: CaseStatus = CaseStatus.OPEN
    assigned_to: str | None = None
    last_patient_at: dt.datetime | None = None  # the patient's latest text while it was open
    last_staff_at: dt.datetime | None = None  # staff's latest text
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    close_reason: CloseReason | None = None

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN

    @property
    def awaiting_staff(self) -> bool:
        """The patient wrote last: somebody owes them an answer."""
        if self.last_patient_at is None:
            return False
        return self.last_staff_at is None or self.last_patient_at > self.last_staff_at

    def age(self, now: dt.datetime) -> dt.timedelta:
        return max(now - self.opened_at, dt.timedelta(0))

    def overdue(self, now: dt.datetime, limit: dt.timedelta) -> bool:
        """Open for longer than the program allows: flagged in the inbox and in /metrics."""
        return self.is_open and self.age(now) > limit


def opened(now: dt.datetime, by: str = PATIENT) -> Case:
    """A new case: by the patient's text, or by staff who texted first."""
    if by == PATIENT:
        return Case(opened_at=now, last_patient_at=now)
    return Case(opened_at=now, opened_by=by, assigned_to=by)


def patient_wrote(case: Case, now: dt.datetime) -> Case:
    """Every text while the case is open goes to it as well as through the flow."""
    return dataclasses.replace(case, last_patient_at=now) if case.is_open else case


def assigned(case: Case, who: str) -> Case:
    if not case.is_open:
        raise CaseClosed
    return dataclasses.replace(case, assigned_to=who)


def staff_wrote(case: Case, who: str, now: dt.datetime) -> Case:
    """An answer sent; whoever answers an unassigned case takes it."""
    if not case.is_open:
        raise CaseClosed
    return dataclasses.replace(case, last_staff_at=now, assigned_to=case.assigned_to or who)


def closed(case: Case, who: str, reason: CloseReason, now: dt.datetime) -> Case:
    """Closed once; closing a closed case changes nothing (two staff clicking at once)."""
    if not case.is_open:
        return case
    return dataclasses.replace(
        case, status=CaseStatus.CLOSED, closed_at=now, closed_by=who, close_reason=reason
    )
