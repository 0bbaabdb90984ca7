"""Program-wide traffic: new numbers and answers in the last hour against the usual hour.

SMS pumping shows up as many new numbers texting at once, each costing answers. The beat
checks every few minutes and logs a warning; /metrics shows the same figures at scrape time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from flows.conversation.limits import surge
from store.models import ConversationRow, MessageRow

log = logging.getLogger(__name__)
HOUR = dt.timedelta(hours=1)
BASELINE = dt.timedelta(days=7)  # the usual hour: the average over the week before it


@dataclasses.dataclass(frozen=True, slots=True)
class Traffic:
    what: str  # "new_numbers" / "replies"
    last_hour: int
    usual_per_hour: float
    alarm: bool


def _counts(
    session: Session,
    column: InstrumentedAttribute[dt.datetime],
    where: tuple[ColumnElement[bool], ...],
    now: dt.datetime,
) -> tuple[int, int]:
    """This hour's count, and the count of the week before it."""
    hour = select(func.count()).where(column >= now - HOUR, *where)
    week = select(func.count()).where(column >= now - BASELINE - HOUR, column < now - HOUR, *where)
    return int(session.scalar(hour) or 0), int(session.scalar(week) or 0)


def check(session: Session, now: dt.datetime, factor: float, floor: int) -> list[Traffic]:
    """Both figures, each with whether it is far above its usual hour."""
    sources: dict[str, tuple[InstrumentedAttribute[dt.datetime], tuple[ColumnElement[bool], ...]]]
    sources = {
        "new_numbers": (ConversationRow.created_at, ()),
        "replies": (
            MessageRow.created_at,
            (MessageRow.direction == "out", MessageRow.reply_to_id.is_not(None)),
        ),
    }
    found = []
    for what, (column, where) in sources.items():
        last_hour, week = _counts(session, column, where, now)
        usual = week / (BASELINE / HOUR)
        found.append(Traffic(what, last_hour, usual, surge(last_hour, usual, factor, floor)))
    return found


def watch(session: Session, now: dt.datetime, factor: float, floor: int) -> dict[str, int]:
    """The beat's check: a warning line for each figure in alarm; what it saw, for the logs."""
    seen = check(session, now, factor, floor)
    for t in seen:
        if t.alarm:
            log.warning(
                "traffic alarm (SMS pumping?): %s %d in the last hour, usually %.1f",
                t.what, t.last_hour, t.usual_per_hour,
            )  # fmt: skip
    return {t.what: t.last_hour for t in seen} | {"alarms": sum(t.alarm for t in seen)}
