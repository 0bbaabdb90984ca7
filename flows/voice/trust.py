"""Which keypresses may text the caller: caller ID can be spoofed, or hidden.

Signing up (5, 1) and "get this by text" (4) send texts to the number in caller ID.
- a hidden number (anonymous, restricted, a placeholder) hears the menu, is never texted;
- a number that said STOP is never signed up again by a key: it is told to text START;
- a number the carrier did not fully attest (STIR/SHAKEN "A") gets ONE text asking for a
  YES reply, and joins only with that reply (double opt-in);
- a fully attested number, or one already enrolled, is served as asked.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from flows.content.render import Reply
from flows.conversation.state import Status
from flows.voice.menu import Action, Call, Caller, CallStep, VoiceOutcome

TEXTING = frozenset({Action.ENROL, Action.TEXT_INFO})
ATTESTED_PREFIX = "TN-Validation-Passed-A"  # Twilio's StirVerstat for full attestation


class CallerId(StrEnum):
    ATTESTED = "attested"  # the carrier vouches the number is the caller's
    UNVERIFIED = "unverified"  # partial, failed or no attestation: it may be spoofed
    HIDDEN = "hidden"  # no number to text at all


def caller_id(hidden: bool, stir_verstat: str) -> CallerId:
    if hidden:
        return CallerId.HIDDEN
    attested = stir_verstat.startswith(ATTESTED_PREFIX)
    return CallerId.ATTESTED if attested else CallerId.UNVERIFIED


def screen(outcome: VoiceOutcome, call: Call, caller: Caller, who: CallerId) -> VoiceOutcome:
    """The outcome of a keypress, with texts to the caller only where the rules allow them."""
    if not TEXTING.intersection(outcome.actions):
        return outcome
    kept = tuple(action for action in outcome.actions if action not in TEXTING)
    status = caller.status if caller else Status.NEW
    instead = _instead(status, who)
    if instead is None:
        return outcome
    key, action = instead
    actions = (*kept, action) if action else kept
    back = Call(CallStep.INFO, call.language)  # "for the main menu, press 9"
    return dataclasses.replace(
        outcome, say=(Reply(key, call.language),), next=back, actions=actions
    )


def _instead(status: Status, who: CallerId) -> tuple[str, Action | None] | None:
    """What is said and done in place of texting; None: text as asked."""
    if who is CallerId.HIDDEN:
        return "hidden_number", None
    if status is Status.OPTED_OUT:
        return "text_start", None
    if who is CallerId.ATTESTED or status is Status.ACTIVE:
        return None
    return "confirm_sent", Action.CONFIRM_BY_TEXT
