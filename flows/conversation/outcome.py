"""Events into the machine, outcomes out of it, and the small helpers every step shares."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from flows.content.render import Reply
from flows.conversation.state import Conversation, Referral, Step
from flows.reminders.changes import ReminderChanges


@dataclasses.dataclass(frozen=True, slots=True)
class InboundText:
    """A text the person sent."""

    body: str


class ConsentKind(StrEnum):
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"
    ASKED = "asked"  # a confirmation text was sent; joining waits for the reply


@dataclasses.dataclass(frozen=True, slots=True)
class Consent:
    """A line for the consent ledger: what changed, how, and the words that did it."""

    kind: ConsentKind
    channel: str  # "sms" / "voice" / "carrier" / "staff"
    words: str  # what the person sent or did ("pressed 1"), or who acted
    heard: Reply | None = None  # what they were read on a call; None: the reply they got


class CaseChange(StrEnum):
    """What a step asks of the person's case in the staff inbox."""

    OPEN = "open"  # a question or a problem the flow cannot answer: a person will
    CLOSE = "close"  # texts ended (STOP, the carrier, staff): nobody may answer any more


NO_CHANGES = ReminderChanges()


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What one event changes: the state, a reply (and what follows it), the ledger, the
    reminders and the person's case in the staff inbox."""

    conversation: Conversation
    reply: Reply | None = None
    consent: Consent | None = None
    reminders: ReminderChanges = NO_CHANGES
    then: Reply | None = None  # a second text right after the reply
    case: CaseChange | None = None


def say(conv: Conversation, key: str, **values: object) -> Reply:
    """A reply in the person's current language."""
    return Reply(key, conv.language, **values)  # type: ignore[arg-type]


def next_setup_step(conv: Conversation) -> Step:
    """The first enrolment question not answered yet."""
    if conv.appointment is None and not conv.date_deferred:
        return Step.DATE
    if conv.referral is Referral.UNKNOWN:
        return Step.REFERRAL
    return Step.READY


PROMPTS: dict[Step, str] = {
    Step.LANGUAGE: "language_question",
    Step.DATE: "ask_date",
    Step.DATE_CONFIRM: "confirm_unclear",
    Step.REFERRAL: "ask_referral",
    Step.READY: "menu",
    Step.OUTCOME: "outcome_question",
}


def prompt(conv: Conversation) -> Reply:
    """The question the person is being asked now, to repeat it."""
    return say(conv, PROMPTS[conv.step], date=conv.pending_date)
