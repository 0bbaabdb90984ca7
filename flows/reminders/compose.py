"""A due reminder, composed from the conversation as it is now (not as it was when planned)."""

from __future__ import annotations

import dataclasses

from flows.conversation.outcome import Outcome, say
from flows.conversation.state import NO_MORE_TEXTS, Conversation, Referral, Status, Step


@dataclasses.dataclass(frozen=True, slots=True)
class ReminderDue:
    """A planned reminder whose time has come."""

    kind: str


def _checklist(conv: Conversation) -> Outcome:
    missing = conv.records_missing
    return Outcome(conv, say(conv, "reminder_checklist", missing=missing) if missing else None)


def _phrase(conv: Conversation) -> Outcome:
    shown = conv.replace(phrase_index=conv.phrase_index + 1)
    return Outcome(shown, say(shown, "reminder_phrase", phrase=conv.phrase_index))


def _referral_followup(conv: Conversation) -> Outcome:
    needed = conv.referral is Referral.NEEDED
    return Outcome(conv, say(conv, "reminder_referral_followup") if needed else None)


def _referral_unsure(conv: Conversation) -> Outcome:
    unsure = conv.referral is Referral.UNSURE
    return Outcome(conv, say(conv, "reminder_referral_unsure") if unsure else None)


def _date_again(conv: Conversation) -> Outcome:
    if conv.appointment or not conv.date_deferred:
        return Outcome(conv)
    asking = conv.replace(step=Step.DATE)
    return Outcome(asking, say(asking, "reminder_date_again"))


def _week_before(conv: Conversation) -> Outcome:
    missing = conv.records_missing
    key = "reminder_week_missing" if missing else "reminder_week_ready"
    return Outcome(conv, say(conv, key, date=conv.appointment, missing=missing))


def _three_days_before(conv: Conversation) -> Outcome:
    missing = conv.records_missing
    if conv.referral is Referral.NEEDED:
        key = "reminder_3days_referral"
    else:
        key = "reminder_3days_missing" if missing else "reminder_3days_ready"
    return Outcome(conv, say(conv, key, date=conv.appointment, missing=missing))


def _day_before(conv: Conversation) -> Outcome:
    return Outcome(conv, say(conv, "reminder_day_before", date=conv.appointment))


def _day_after(conv: Conversation) -> Outcome:
    done = conv.replace(status=Status.COMPLETED)
    return Outcome(done, say(done, "reminder_day_after"))


def _by_text(conv: Conversation) -> Outcome:
    return Outcome(conv, say(conv, "by_text"))


def _welcome(conv: Conversation) -> Outcome:
    return Outcome(conv, say(conv, "voice_welcome"))


COMPOSERS = {
    "by_text": _by_text,
    "welcome": _welcome,
    "checklist": _checklist,
    "phrase": _phrase,
    "referral_followup": _referral_followup,
    "referral_unsure": _referral_unsure,
    "date_again": _date_again,
    "week_before": _week_before,
    "three_days_before": _three_days_before,
    "day_before": _day_before,
    "day_after": _day_after,
}
APPOINTMENT_KINDS = frozenset({"week_before", "three_days_before", "day_before", "day_after"})
# Texts that answer the person themselves: a caller who asked for it by text (enrolled or
# not), or the late answer to a text fetched after an outage (flows.conversation.late).
REQUESTED = frozenset({"by_text", "answer"})


def needs_enrolment(kind: str) -> bool:
    """Everything but a text the person asked for needs an active, consenting person."""
    return kind not in REQUESTED


def remind(conv: Conversation, event: ReminderDue) -> Outcome:
    """The reminder's text for this person now, or no reply when it no longer applies."""
    if conv.status in NO_MORE_TEXTS or event.kind not in COMPOSERS:
        return Outcome(conv)
    if needs_enrolment(event.kind) and not conv.can_receive:
        return Outcome(conv)
    if event.kind in APPOINTMENT_KINDS and conv.appointment is None:
        return Outcome(conv)
    return COMPOSERS[event.kind](conv)
