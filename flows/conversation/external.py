"""Changes from outside the conversation: the carrier refusing texts, staff acting for a person."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from flows.content import STAFF_SCRIPT, STAFF_WELCOME
from flows.content.render import Reply
from flows.conversation.outcome import Consent, ConsentKind, Outcome, next_setup_step
from flows.conversation.state import Conversation, Referral, Status, Step
from flows.language import Language
from flows.reminders.changes import ReminderChanges
from flows.reminders.plan import Planned

# Twilio error codes that mean a number cannot be texted any more.
UNSUBSCRIBED = 21610  # the person texted STOP to the carrier, or Twilio's own opt-out
NOT_REACHABLE = frozenset({21211, 21614})  # not a valid number / not a mobile number


@dataclasses.dataclass(frozen=True, slots=True)
class CarrierRefused:
    """A send or a delivery report came back with a Twilio error code."""

    code: int


def ends_texting(code: int | None) -> bool:
    return code == UNSUBSCRIBED or code in NOT_REACHABLE


def carrier(conv: Conversation, event: CarrierRefused) -> Outcome:
    """21610 is an opt-out (kept in the ledger); 21211 / 21614 make the number unreachable."""
    if not ends_texting(event.code):
        return Outcome(conv)
    status = Status.OPTED_OUT if event.code == UNSUBSCRIBED else Status.UNREACHABLE
    if conv.status is status:
        return Outcome(conv)
    changed = conv.replace(status=status)
    if status is not Status.OPTED_OUT:
        return Outcome(changed)
    words = f"Twilio error {event.code}"
    return Outcome(changed, consent=Consent(ConsentKind.OPT_OUT, "carrier", words))


class StaffAction(StrEnum):
    OPT_OUT = "opt-out"
    TIMEZONE = "timezone"
    RESUME = "resume"  # reminders resumed after a pause: the plan is laid again from now
    ERASE = "erase"  # texts end (kept in the ledger), then everything else is deleted
    VISIT_DATE = "visit-date"  # set or corrected for the person (they told staff)
    RECORDS = "records"  # records the person has, as they told staff
    REFERRAL_SENT = "referral-sent"
    ENROL = "enrol"  # the person said yes to staff, in person or on the phone


# The questions staff answered for the person are no longer asked of them.
SETUP_STEPS = frozenset({Step.DATE, Step.DATE_CONFIRM, Step.REFERRAL})


@dataclasses.dataclass(frozen=True, slots=True)
class StaffChange:
    action: StaffAction
    by: str  # the staff member's name, for the ledger
    zone: str = ""
    date: dt.date | None = None  # VISIT_DATE
    records: frozenset[int] = frozenset()  # RECORDS: items now done
    language: Language = Language.EN  # ENROL: the person's language
    how: str = ""  # ENROL: "in person" / "by phone"


def _answered(conv: Conversation) -> Conversation:
    """Past the setup questions staff have answered for the person."""
    if conv.step in SETUP_STEPS:
        return conv.replace(step=next_setup_step(conv.replace(pending_date=None)))
    return conv


def _for_the_person(conv: Conversation, event: StaffChange) -> Conversation:
    """What the person told staff, as if they had texted it."""
    if event.action is StaffAction.VISIT_DATE and event.date is not None:
        moved = conv.replace(appointment=event.date, pending_date=None, date_deferred=False)
        if conv.step is Step.OUTCOME or conv.visit_outcome is not None:
            moved = moved.replace(step=Step.READY, visit_outcome=None)  # a new visit to ask about
        return _answered(moved)
    if event.action is StaffAction.RECORDS:
        return conv.replace(records_done=conv.records_done | event.records)
    if event.action is StaffAction.REFERRAL_SENT:
        return _answered(conv.replace(referral=Referral.SENT))
    return conv


def _enrol(conv: Conversation, event: StaffChange, now: dt.datetime) -> Outcome:
    """Signed up by staff: the ledger keeps who, how and the words read (`heard`); the first
    text is the welcome with HELP and STOP, then the date question, as after a call."""
    if conv.status is Status.ACTIVE:
        return Outcome(conv)
    joined = conv.replace(status=Status.ACTIVE, language=event.language, enrolled_at=now)
    joined = joined.replace(step=next_setup_step(joined))
    words = f"said yes {event.how} to {event.by}"
    consent = Consent(ConsentKind.OPT_IN, "staff", words, Reply(STAFF_SCRIPT, event.language))
    welcome = Planned(now, 0, STAFF_WELCOME, f"{STAFF_WELCOME}:{now:%Y%m%dT%H%M%S}")
    return Outcome(joined, consent=consent, reminders=ReminderChanges(one_offs=(welcome,)))


def staff(conv: Conversation, event: StaffChange, now: dt.datetime) -> Outcome:
    if event.action is StaffAction.ENROL:
        return _enrol(conv, event, now)
    if event.action in (StaffAction.VISIT_DATE, StaffAction.RECORDS, StaffAction.REFERRAL_SENT):
        return Outcome(_for_the_person(conv, event))
    if event.action is StaffAction.TIMEZONE:
        return Outcome(conv.replace(timezone=event.zone))
    ends = event.action in (StaffAction.OPT_OUT, StaffAction.ERASE)
    if ends and conv.status is not Status.OPTED_OUT:
        words = f"opted out by staff ({event.by})"
        stopped = conv.replace(status=Status.OPTED_OUT)
        return Outcome(stopped, consent=Consent(ConsentKind.OPT_OUT, "staff", words))
    return Outcome(conv)
