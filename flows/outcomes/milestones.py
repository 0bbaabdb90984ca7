"""The steps of a journey from sign-up to visit, read from the conversation's state.

A milestone is recorded the first time a conversation reaches it; the funnel counts them.
"""

from __future__ import annotations

from enum import StrEnum

from flows.conversation.state import Conversation, Referral, VisitOutcome


class Milestone(StrEnum):
    SIGNED_UP = "signed_up"
    DATE_GIVEN = "date_given"
    REFERRAL_RESOLVED = "referral_resolved"  # not needed, or the doctor's office sent it
    RECORDS_COMPLETE = "records_complete"
    VISIT_HAPPENED = "visit_happened"


STAGES: tuple[Milestone, ...] = tuple(Milestone)  # the funnel's order
RESOLVED = frozenset({Referral.NOT_NEEDED, Referral.SENT})


def reached(conv: Conversation) -> frozenset[Milestone]:
    checks = {
        Milestone.SIGNED_UP: conv.enrolled_at is not None,
        Milestone.DATE_GIVEN: conv.appointment is not None,
        Milestone.REFERRAL_RESOLVED: conv.referral in RESOLVED,
        Milestone.RECORDS_COMPLETE: not conv.records_missing,
        Milestone.VISIT_HAPPENED: conv.visit_outcome is VisitOutcome.HAPPENED,
    }
    if conv.enrolled_at is None:
        return frozenset()  # an erased or never-enrolled conversation is on no journey
    return frozenset(m for m, done in checks.items() if done)


def newly_reached(before: Conversation, after: Conversation) -> tuple[Milestone, ...]:
    """What one event reached that the conversation had not reached before it, in order."""
    new = reached(after) - reached(before)
    return tuple(m for m in STAGES if m in new)
