"""After the visit: did it happen? Yes / it moved / not yet / no, kept as the outcome.

Yes and no complete the conversation. "It moved" asks for the new date at once and "not
yet" asks again in a few days (the date reminders of the plan), so the plan moves with it.
"""

from __future__ import annotations

import datetime as dt

from flows.conversation.keywords import Kind, Reading
from flows.conversation.outcome import Outcome, say
from flows.conversation.state import Conversation, Status, Step, VisitOutcome

ANSWERS: dict[Kind, VisitOutcome] = {  # checked in this order
    Kind.MOVED: VisitOutcome.MOVED,
    Kind.DATE: VisitOutcome.MOVED,
    Kind.NOT_BOOKED: VisitOutcome.NOT_YET,
    Kind.YES: VisitOutcome.HAPPENED,
    Kind.NO: VisitOutcome.DID_NOT,
}
REPLIES = {
    VisitOutcome.HAPPENED: "outcome_yes",
    VisitOutcome.MOVED: "outcome_moved",
    VisitOutcome.NOT_YET: "outcome_not_yet",
    VisitOutcome.DID_NOT: "outcome_no",
}


def answer(conv: Conversation, reading: Reading, now: dt.datetime) -> Outcome | None:
    """The answer to the question, or None when the reply is not one of them."""
    for kind, outcome in ANSWERS.items():
        if kind in reading:
            after = recorded(conv, outcome, now)
            return Outcome(after, say(after, REPLIES[outcome]))
    return None


def recorded(conv: Conversation, outcome: VisitOutcome, now: dt.datetime) -> Conversation:
    """The conversation with its outcome; a visit still to come drops the date it had."""
    if outcome in (VisitOutcome.HAPPENED, VisitOutcome.DID_NOT):
        return conv.replace(visit_outcome=outcome, status=Status.COMPLETED, step=Step.READY)
    return conv.replace(
        visit_outcome=outcome,
        status=Status.ACTIVE,
        step=Step.DATE if outcome is VisitOutcome.MOVED else Step.READY,
        appointment=None,
        pending_date=None,
        date_deferred=True,
        deferred_at=now,
    )
