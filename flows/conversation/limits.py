"""How much the service answers one number, and what program-wide traffic looks like pumping.

Every answer is a billed text. A number may get at most `per_day` answers in 24 hours,
and of those at most `unclear_per_day` of the kind a machine provokes ("sorry, we did
not get that", the join hint, HELP); the same text sent over and over is answered ten times.
Past that the service is silent, though what the text changes (STOP, START) still counts.
Two auto-responders therefore stop after a few rounds instead of texting each other forever.
"""

from __future__ import annotations

import dataclasses

from flows.conversation.steps import UNCLEAR

# What a machine provokes: "didn't understand", the join hint, HELP, and "a person will
# answer" (an auto-responder's sentences read like questions).
LOW_VALUE = frozenset(
    {"unknown", "not_enrolled", "help", "case_today", "case_later", *UNCLEAR.values()}
)
# The same words from one number are answered this often in a day: PHRASES eight times is a
# person reading every suggestion; the same words fifty times is a machine.
SAME_TEXT_ANSWERS = 10


@dataclasses.dataclass(frozen=True, slots=True)
class ReplyBudget:
    per_day: int
    unclear_per_day: int


@dataclasses.dataclass(frozen=True, slots=True)
class Recent:
    """What one number got in the last 24 hours, counted before this text is answered."""

    replies: int  # answers sent
    low_value: int  # of which in LOW_VALUE
    same_text: int  # texts from it with these very words, this one included


def may_answer(reply_key: str, recent: Recent, budget: ReplyBudget) -> bool:
    """Whether this answer may go out, or the service should stay silent."""
    if recent.replies >= budget.per_day or recent.same_text > SAME_TEXT_ANSWERS:
        return False
    return reply_key not in LOW_VALUE or recent.low_value < budget.unclear_per_day


def surge(last_hour: int, usual_per_hour: float, factor: float, floor: int) -> bool:
    """An hour far above the usual one, and big enough to matter: what SMS pumping looks like."""
    return last_hour >= floor and last_hour >= factor * usual_per_hour
