"""Whether a due reminder goes now, later or never, and whether by text or by call."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from enum import StrEnum

from flows.conversation.state import NO_MORE_TEXTS, Conversation
from flows.reminders.compose import needs_enrolment
from flows.reminders.window import Window, earliest_slot


class Verdict(StrEnum):
    SEND = "send"
    DEFER = "deferred"  # quiet hours, spacing or the daily cap: at `at`
    CANCEL = "cancelled"  # the person may not be texted (no consent, opted out)


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    at: dt.datetime | None = None


def may_send(conv: Conversation, kind: str, consented: bool) -> bool:
    """Only to people who said yes (calls too); a text a caller asked for needs no enrolment."""
    if conv.status in NO_MORE_TEXTS:
        return False
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
) -> Decision:
    """Consent first, then the person's own quiet hours, spacing and daily cap (an answer
    to their own text keeps to quiet hours only)."""
    if not may_send(conv, kind, consented):
        return Decision(Verdict.CANCEL)
    if not needs_enrolment(kind):
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
