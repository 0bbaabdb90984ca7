"""When each person first reached each step of the journey (milestones table): the funnel.

A milestone is written once, the first time; reaching it again (a new visit date) keeps the
first time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from flows.outcomes.milestones import Milestone
from store.models import MilestoneRow

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def record(session: Session, person: int, reached: Sequence[Milestone], at: dt.datetime) -> None:
    if not reached:
        return
    rows = [{"conversation_id": person, "milestone": m.value, "at": at} for m in reached]
    add = _INSERTS[session.get_bind().dialect.name](MilestoneRow).values(rows)
    session.execute(add.on_conflict_do_nothing(index_elements=["conversation_id", "milestone"]))


def erase(session: Session, person: int) -> None:
    session.execute(delete(MilestoneRow).where(MilestoneRow.conversation_id == person))
