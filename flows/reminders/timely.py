"""Whether a reminder still makes sense on a given day: nothing untimely, however late it goes.

A reminder can go out later than planned (a late sign-up, quiet hours, the caps, a pause).
These rules decide on the day it would go, both when the plan is laid and again when it is
worded, so a late one is dropped rather than saying something that is no longer true.
"""

from __future__ import annotations

import datetime as dt

from flows.conversation.state import Conversation

FOLLOW_UP_DAYS = 7  # the follow-up still makes sense this many days after the visit
AFTER_VISIT = frozenset({"day_after", "visit_check"})  # did the visit happen?
VISIT_DAY = frozenset({"day_before"})  # worded "today" on the day: what to bring
# Closer to the visit than this, the 3-days-before reminder lists what is missing (and "ask
# for copies soon, they take a week" would no longer help).
BEFORE_VISIT_MIN_DAYS = {"week_before": 4, "checklist": 4}
ANSWERS = frozenset({"by_text", "confirm", "texted", "welcome", "staff_welcome"})
"""Texts that answer what the person just did (a key on a call, signing up with staff): sent
at once, day or night, and, like replies to their own texts, not counted against the caps."""


def days_to_visit(conv: Conversation, today: dt.date) -> int | None:
    """Days from `today` to the visit (0 on the day, negative after), None without a date."""
    return (conv.appointment - today).days if conv.appointment else None


def timely(kind: str, conv: Conversation, today: dt.date) -> bool:
    """Whether this reminder may go to this person on `today` (their own date)."""
    if kind in ANSWERS:
        return True
    days = days_to_visit(conv, today)
    if kind in AFTER_VISIT:
        return days is not None and -FOLLOW_UP_DAYS <= days < 0
    if days is None:
        return True
    if days < 0:
        return False  # the visit is over: only the follow-up
    if days == 0:
        return kind in VISIT_DAY  # on the day, only what helps that day
    return days >= BEFORE_VISIT_MIN_DAYS.get(kind, 1)
