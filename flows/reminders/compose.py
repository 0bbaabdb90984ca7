"""A due reminder, composed from the conversation as it is now (not as it was when planned)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flows.content import STAFF_WELCOME
from flows.conversation.outcome import Outcome, say
from flows.conversation.state import NO_MORE_TEXTS, Conversation, Referral, Status, Step
from flows.reminders.timely import days_to_visit, timely


@dataclasses.dataclass(frozen=True, slots=True)
class ReminderDue:
    """A planned reminder whose time has come; `nth` counts its repeats from 0."""

    kind: str
    nth: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Due:
    """What a composer needs: the person now, which repeat this is, days left to the visit."""

    conv: Conversation
    nth: int
    days: int | None


REFERRAL_FOLLOW_UPS = (
    "reminder_referral_followup",
    "reminder_referral_followup_2",
    "reminder_referral_followup_3",
)  # each repeat says something new; past the last, the last is said again


def _checklist(due: Due) -> Outcome:
    missing = due.conv.records_missing
    reply = say(due.conv, "reminder_checklist", missing=missing) if missing else None
    return Outcome(due.conv, reply)


def _normal(due: Due) -> Outcome:
    return Outcome(due.conv, say(due.conv, "reminder_normal"))


def _phrase(due: Due) -> Outcome:
    shown = due.conv.replace(phrase_index=due.conv.phrase_index + 1)
    return Outcome(shown, say(shown, "reminder_phrase", phrase=due.conv.phrase_index))


def _referral_followup(due: Due) -> Outcome:
    if due.conv.referral is not Referral.NEEDED:
        return Outcome(due.conv)
    key = REFERRAL_FOLLOW_UPS[min(due.nth, len(REFERRAL_FOLLOW_UPS) - 1)]
    return Outcome(due.conv, say(due.conv, key))


def _referral_unsure(due: Due) -> Outcome:
    unsure = due.conv.referral is Referral.UNSURE
    return Outcome(due.conv, say(due.conv, "reminder_referral_unsure") if unsure else None)


def _date_again(due: Due) -> Outcome:
    if due.conv.appointment or not due.conv.date_deferred:
        return Outcome(due.conv)
    asking = due.conv.replace(step=Step.DATE)
    return Outcome(asking, say(asking, "reminder_date_again"))


def _visit(due: Due, key: str) -> Outcome:
    """A reminder about the visit: says truthfully how far it is ("in 5 days, on …")."""
    conv = due.conv
    reply = say(conv, key, date=conv.appointment, days=due.days, missing=conv.records_missing)
    return Outcome(conv, reply)


def _week_before(due: Due) -> Outcome:
    missing = due.conv.records_missing
    return _visit(due, "reminder_week_missing" if missing else "reminder_week_ready")


def _three_days_before(due: Due) -> Outcome:
    missing = bool(due.conv.records_missing)
    if due.conv.referral is Referral.NEEDED:  # the referral, and the records still missing
        return _visit(due, "reminder_3days_both" if missing else "reminder_3days_referral")
    return _visit(due, "reminder_3days_missing" if missing else "reminder_3days_ready")


def _day_before(due: Due) -> Outcome:
    return _visit(due, "reminder_day_before")


def _day_after(due: Due) -> Outcome:
    """Asks whether the visit happened; the answer completes the conversation."""
    asking = due.conv.replace(step=Step.OUTCOME)
    return Outcome(asking, say(asking, "reminder_day_after"))


def _visit_check(due: Due) -> Outcome:
    """The one reminder for a missing answer; after it, the conversation is completed."""
    if due.conv.step is not Step.OUTCOME:
        return Outcome(due.conv)  # answered, or busy with something else: no need to ask
    done = due.conv.replace(status=Status.COMPLETED)
    return Outcome(done, say(done, "reminder_visit_check"))


def _by_text(due: Due) -> Outcome:
    return Outcome(due.conv, say(due.conv, "by_text"))


def _welcome(due: Due) -> Outcome:
    return Outcome(due.conv, say(due.conv, "voice_welcome"))


def _staff_welcome(due: Due) -> Outcome:
    return Outcome(due.conv, say(due.conv, STAFF_WELCOME))


def _confirm(due: Due) -> Outcome:
    return Outcome(due.conv, say(due.conv, "confirm_by_text"))


COMPOSERS: dict[str, Callable[[Due], Outcome]] = {
    "by_text": _by_text,
    "welcome": _welcome,
    STAFF_WELCOME: _staff_welcome,
    "confirm": _confirm,
    "checklist": _checklist,
    "normal": _normal,
    "phrase": _phrase,
    "referral_followup": _referral_followup,
    "referral_unsure": _referral_unsure,
    "date_again": _date_again,
    "week_before": _week_before,
    "three_days_before": _three_days_before,
    "day_before": _day_before,
    "day_after": _day_after,
    "visit_check": _visit_check,
}
APPOINTMENT_KINDS = frozenset(
    {"week_before", "three_days_before", "day_before", "day_after", "visit_check"}
)
# Texts that answer the person themselves: a caller who asked for it by text (enrolled or
# not), the confirmation an unverified caller asked for, or the late answer to a text
# fetched after an outage (flows.conversation.late).
REQUESTED = frozenset({"by_text", "confirm", "answer"})


def needs_enrolment(kind: str) -> bool:
    """Everything but a text the person asked for needs an active, consenting person."""
    return kind not in REQUESTED


def remind(conv: Conversation, event: ReminderDue, now: dt.datetime) -> Outcome:
    """The reminder's text for this person now, or no reply when it no longer applies."""
    if conv.status in NO_MORE_TEXTS or event.kind not in COMPOSERS:
        return Outcome(conv)
    if needs_enrolment(event.kind) and not conv.can_receive:
        return Outcome(conv)
    if event.kind in APPOINTMENT_KINDS and conv.appointment is None:
        return Outcome(conv)
    today = now.astimezone(ZoneInfo(conv.timezone)).date()
    if not timely(event.kind, conv, today):
        return Outcome(conv)  # sent late, it would say something no longer true
    return COMPOSERS[event.kind](Due(conv, event.nth, days_to_visit(conv, today)))
