"""The people list filtered by where people are stuck, soonest visit first.

The database narrows the list to the few people the rule could apply to (by status and
visit date); the rule itself is `flows.outcomes.stuck`, asked of each in their own time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from flows.outcomes.stuck import REFERRAL_DAYS, Stuck, is_stuck
from store.models import ConversationRow
from store.people import state_of

SLACK = dt.timedelta(days=1)  # every time zone's today is within a day of UTC's
CANDIDATES = 5_000  # people read to find the stuck ones: more than any program has this week


def _narrowed(query: Select[Any], stuck: Stuck, now: dt.datetime) -> Select[Any]:
    today = now.date()
    visit = ConversationRow.appointment
    if stuck is Stuck.NO_DATE:
        return query.where(ConversationRow.status == "active", visit.is_(None))
    if stuck is Stuck.NO_ANSWER:
        passed = visit < today + SLACK
        return query.where(passed, ConversationRow.visit_outcome.is_(None))
    soon = visit.between(today - SLACK, today + dt.timedelta(days=REFERRAL_DAYS) + SLACK)
    return query.where(ConversationRow.status == "active", soon)


def stuck(
    session: Session, query: Select[Any], where: Stuck, now: dt.datetime, limit: int
) -> Sequence[Any]:
    """Rows of the people list (the person row first) stuck at `where`, soonest visit first."""
    narrowed = _narrowed(query, where, now)
    ordered = narrowed.order_by(ConversationRow.appointment, ConversationRow.id).limit(CANDIDATES)
    found = [row for row in session.execute(ordered) if is_stuck(state_of(row[0]), where, now)]
    return found[:limit]
