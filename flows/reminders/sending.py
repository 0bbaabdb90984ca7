"""Whether a due reminder goes now, later or never, and whether by text or by call."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from enum import StrEnum

from flows.conversation.state import NO_MORE_TEXTS, Conversation, Status
from flows.reminders.compose import needs_enrolment
from flows.reminders.timely import ANSWERS
from flows.reminders.window import Window, earliest_slot

STAFF_TEXT = "reply"  # a text staff wrote (an answer, or a first word from a person's page)
ANSWER_AT_ONCE = dt.timedelta(hours=1)  # someone who wrote this recently is awake: no quiet hours
TEXTABLE_BY_STAFF = frozenset({Status.ACTIVE, Status.COMPLETED})


class Verdict(StrEnum):
    SEND = "send"
    DEFER = "deferred"  # quiet hours, spacing, the daily or the weekly cap: at `at`
    CANCEL = "cancelled"  # the person may not be texted (no consent, opted out)


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    at: dt.datetime | None = None


NOT_COUNTED = ANSWERS | {STAFF_TEXT, "answer"}  # sends that neither wait for nor use up the caps


def is_staff_text(kind: str) -> bool:
    """Staff texts are a conversation, not reminders: a pause, spacing and the cap leave them be."""
    return kind == STAFF_TEXT


def may_send(conv: Conversation, kind: str, consented: bool) -> bool:
    """Only to people who said yes (calls too); a text a caller asked for needs no enrolment;
    staff may text anyone who joined and never stopped, their visit over or not."""
    if conv.status in NO_MORE_TEXTS:
        return False
    if is_staff_text(kind):
        return consented and conv.status in TEXTABLE_BY_STAFF
    if not needs_enrolment(kind):
        return True
    return conv.can_receive and consented


def decide(
    conv: Conversation,
    kind: str,
    consented: bool,
    recent_sends: Sequence[dt.datetime],
    now: dt.datetime,
    window: Window,
    last_heard: dt.datetime | None = None,
) -> Decision:
    """Consent first, then the person's own quiet hours, spacing, daily and weekly caps.

    `recent_sends` are this person's reminders sent in the last week, texts and calls,
    without the answers to what they did (ANSWERS) and staff texts, which are not counted.
    An answer goes at once. A staff text keeps quiet hours only (no spacing, no cap), and not
    even those for someone who wrote to us within the last hour (`last_heard`).
    """
    if not may_send(conv, kind, consented):
        return Decision(Verdict.CANCEL)
    if kind in ANSWERS:
        return Decision(Verdict.SEND)
    if is_staff_text(kind):
        if last_heard is not None and dt.timedelta(0) <= now - last_heard <= ANSWER_AT_ONCE:
            return Decision(Verdict.SEND)
        recent_sends = ()
    elif not needs_enrolment(kind):  # a late answer to their own text: quiet hours only
        recent_sends = ()
    slot = earliest_slot(now, conv.timezone, window, recent_sends)
    if slot > now:
        return Decision(Verdict.DEFER, slot)
    return Decision(Verdict.SEND)


@dataclasses.dataclass(frozen=True, slots=True)
class CallRules:
    """What decides between a call and a text, from the settings."""

    planned_kinds: Collection[str]
    max_calls: int  # calls for one reminder before it goes as a text
    can_call: bool  # Twilio needs a public URL to fetch a call's words


def channel(
    conv: Conversation, kind: str, worded_for_speech: bool, calls_made: int, rules: CallRules
) -> str:
    """A call when the person chose calls, until the calls for this reminder are used up."""
    wants_call = conv.calls and kind in rules.planned_kinds and worded_for_speech
    if wants_call and calls_made < rules.max_calls and rules.can_call:
        return "call"
    return "sms"
