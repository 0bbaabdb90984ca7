"""Texts staff write to a person: an answer to a case, or a first word from their page.

They go through the reminders' own send path (`secondopinion.reminders`, prepare then
deliver): a reminder row of kind "reply" with its words, so consent, opt-out, quiet hours
(unless the patient just wrote), the shared send rate and the record of every message all
apply. A sandbox phone's text is left for the simulator to send on its own clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import unicodedata
from enum import StrEnum

from sqlalchemy.orm import Session

from flows import Machine, Reply
from flows.inbox import case as lifecycle
from flows.inbox.case import CaseClosed
from flows.inbox.saved import saved_answers
from flows.reminders.sending import STAFF_TEXT, may_send
from secondopinion.container import Services
from secondopinion.reminders.send import send_reminders
from store import cases, consent, people, reminders
from store.db import transaction
from store.people import Person
from store.sandbox import is_sandbox
from store.staff import record_action

MAX_TEXT = 320  # characters staff may write: two texts of plain letters, five with accents


@dataclasses.dataclass(frozen=True, slots=True)
class StaffText:
    """What staff chose: a saved answer (its key) or words of their own."""

    saved: str = ""
    words: str = ""


class Refused(StrEnum):
    NO_PERSON = "no-person"
    NOT_TEXTABLE = "not-textable"  # opted out, unreachable, or never joined
    EMPTY = "empty"
    TOO_LONG = "too-long"
    UNKNOWN_ANSWER = "unknown-answer"
    CASE_CLOSED = "case-closed"


@dataclasses.dataclass(frozen=True, slots=True)
class Handed:
    """A text on its way: sent, held for daytime, left for the simulator, or refused later."""

    reminder: int
    outcome: str  # what the send path said: "sent", "deferred", "cancelled", "queued", ...


def send(
    svc: Services, person_id: int, text: StaffText, by: str, case_id: int | None = None
) -> Handed | Refused:
    """Queue the text in one transaction, then send it at once (a real phone)."""
    with transaction(svc.sessions) as session:
        queued = queue(session, svc.machine, person_id, text, by, svc.clock(), case_id)
    if isinstance(queued, Refused):
        return queued
    reminder, sandbox = queued
    if sandbox:
        return Handed(reminder, "queued")
    return Handed(reminder, send_reminders(svc, [reminder])[0])


def queue(
    session: Session,
    machine: Machine,
    person_id: int,
    text: StaffText,
    by: str,
    now: dt.datetime,
    case_id: int | None = None,
) -> tuple[int, bool] | Refused:
    """The reminder row and whether it waits for the simulator; or why nothing was queued."""
    person = people.lock_person(session, person_id)
    if person is None:
        return Refused.NO_PERSON
    said_yes = person.id in consent.consented(session, [person.id])
    if not may_send(person.state, STAFF_TEXT, said_yes):
        return Refused.NOT_TEXTABLE
    body = words(machine, person, text)
    if isinstance(body, Refused):
        return body
    found = cases.open_of(session, person.id)
    if case_id is not None and (found is None or found.id != case_id):
        return Refused.CASE_CLOSED
    try:
        _answered(session, person.id, found, by, now)
    except CaseClosed:
        return Refused.CASE_CLOSED
    sandbox = is_sandbox(session, person.phone)
    key = f"{STAFF_TEXT}:{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}"
    reminder = reminders.add_staff_text(session, person.id, key, body, now, claimed=not sandbox)
    detail = f"saved answer {text.saved}" if text.saved else f"own words, {len(body)} characters"
    record_action(session, person.id, by, "text", detail, now)
    return reminder, sandbox


def _answered(
    session: Session, person: int, found: cases.Stored | None, by: str, now: dt.datetime
) -> None:
    """The open case is answered; with none, staff texting first opens one, so the patient's
    answer lands in the inbox."""
    if found is None:
        cases.add(session, person, lifecycle.opened(now, by=by))
    else:
        cases.save(session, found, lifecycle.staff_wrote(found.case, by, now))


def words(machine: Machine, person: Person, text: StaffText) -> str | Refused:
    """The words that will go: a saved answer in the person's language, or staff's own."""
    if text.saved:
        if text.saved not in saved_answers(machine.content):
            return Refused.UNKNOWN_ANSWER
        return machine.render(Reply(text.saved, person.state.language))
    cleaned = clean(text.words)
    if not cleaned:
        return Refused.EMPTY
    return cleaned if len(cleaned) <= MAX_TEXT else Refused.TOO_LONG


def clean(text: str) -> str:
    """Staff's own words without control characters (a line break stays), trimmed."""
    kept = "".join(c for c in text if c == "\n" or unicodedata.category(c)[0] != "C")
    return "\n".join(line.rstrip() for line in kept.split("\n")).strip()
