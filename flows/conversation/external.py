"""Changes from outside the conversation: the carrier refusing texts, staff acting for a person."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from flows.conversation.outcome import Consent, ConsentKind, Outcome
from flows.conversation.state import Conversation, Status

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


@dataclasses.dataclass(frozen=True, slots=True)
class StaffChange:
    action: StaffAction
    by: str  # the staff member's name, for the ledger
    zone: str = ""


def staff(conv: Conversation, event: StaffChange) -> Outcome:
    if event.action is StaffAction.TIMEZONE:
        return Outcome(conv.replace(timezone=event.zone))
    ends = event.action in (StaffAction.OPT_OUT, StaffAction.ERASE)
    if ends and conv.status is not Status.OPTED_OUT:
        words = f"opted out by staff ({event.by})"
        stopped = conv.replace(status=Status.OPTED_OUT)
        return Outcome(stopped, consent=Consent(ConsentKind.OPT_OUT, "staff", words))
    return Outcome(conv)
