"""What staff do for a person: pause and resume reminders, change zone, opt out, erase,
and give them a label and a navigator.

Each runs in the caller's transaction with the person locked, goes through the flow like
any other event, and is written to the person's audit trail (an erase to staff's record
only: the person is gone, see secondopinion/privacy.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from flows import Language, Machine, Status
from flows.conversation.external import StaffAction, StaffChange
from secondopinion import privacy
from secondopinion.apply import apply
from store import labels, people
from store.labels import Label
from store.people import Person
from store.staff import record_action

PAUSE = "pause"
ACTIONS = (
    PAUSE,
    *(a.value for a in StaffAction if a is not StaffAction.ENROL),
)  # enrol: its own form


def act(
    session: Session,
    machine: Machine,
    person_id: int,
    action: str,
    by: str,
    now: dt.datetime,
    zone: str = "",
    *,
    date: dt.date | None = None,
    records: frozenset[int] = frozenset(),
) -> bool:
    """Carry out one action and log it; False when there is no such person."""
    if action == StaffAction.ERASE:
        return privacy.erase(session, machine, person_id, by, now) is not None
    person = people.lock_person(session, person_id)
    if person is None:
        return False
    if action == PAUSE:
        people.pause(session, person.id, by, now)
    else:
        change = StaffChange(StaffAction(action), by, zone, date, records)
        _change(session, machine, person, change, now)
    record_action(session, person_id, by, action, _detail(action, zone, date, records), now)
    return True


def _detail(action: str, zone: str, date: dt.date | None, records: frozenset[int]) -> str:
    """What the audit log keeps beside the action: the zone, the date, the records."""
    if action == StaffAction.TIMEZONE:
        return zone
    if action == StaffAction.VISIT_DATE and date is not None:
        return date.isoformat()
    if action == StaffAction.RECORDS:
        return "records " + ",".join(str(n) for n in sorted(records))
    return ""


def _change(
    session: Session, machine: Machine, person: Person, change: StaffChange, now: dt.datetime
) -> None:
    if change.action is StaffAction.RESUME:
        people.unpause(session, person.id)
    apply(session, machine, person, machine.step(person.state, change, now), now)


def label(session: Session, person_id: int, given: Label, by: str, now: dt.datetime) -> bool:
    """What staff call the person and who looks after them; False when there is no such
    person. Kept off the conversation, so no text can ever carry it."""
    if people.lock_person(session, person_id) is None:
        return False
    labels.put(session, person_id, given, by, now)
    record_action(session, person_id, by, "label", f"navigator {given.navigator or 'none'}", now)
    return True


def enrol(
    session: Session,
    machine: Machine,
    phone: str,
    zone: str,
    language: Language,
    how: str,
    by: str,
    now: dt.datetime,
) -> int | None:
    """Sign up a person who said yes to staff; their id, or None when they already take part."""
    person = people.lock_by_phone(session, phone, now, zone)
    if person.state.status is Status.ACTIVE:
        return None
    change = StaffChange(StaffAction.ENROL, by, language=language, how=how)
    apply(session, machine, person, machine.step(person.state, change, now), now)
    record_action(session, person.id, by, StaffAction.ENROL.value, how, now)
    return person.id
