"""The program's numbers: who is enrolled, how texts fare, and activity per day."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt

from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session

from store.models import ConversationRow, MessageRow

DAYS = 28
SERIES = ("enrolled", "texts in", "texts out")


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    enrolled: int
    by_status: dict[str, int]
    languages: dict[str, int]
    sent: int
    delivered: int
    failed: int
    replies: int
    days: list[dt.date]
    per_day: dict[str, list[int]]

    @property
    def delivered_percent(self) -> float | None:
        return round(100 * self.delivered / self.sent, 1) if self.sent else None


def summary(session: Session, now: dt.datetime) -> Summary:
    enrolled = ConversationRow.enrolled_at.is_not(None)
    by_status = _pairs(
        session.execute(
            select(ConversationRow.status, func.count()).group_by(ConversationRow.status)
        )
    )
    languages = _pairs(
        session.execute(
            select(ConversationRow.language, func.count())
            .where(enrolled)
            .group_by(ConversationRow.language)
        )
    )
    sent_status = _pairs(
        session.execute(
            select(MessageRow.status, func.count())
            .where(MessageRow.direction == "out", MessageRow.sid.is_not(None))
            .group_by(MessageRow.status)
        )
    )
    replies = session.scalar(
        select(func.count()).select_from(MessageRow).where(MessageRow.direction == "in")
    )
    days, per_day = _per_day(session, now)
    return Summary(
        enrolled=sum(languages.values()),
        by_status=by_status,
        languages=languages,
        sent=sum(sent_status.values()),
        delivered=sent_status.get("delivered", 0) + sent_status.get("read", 0),
        failed=sent_status.get("failed", 0) + sent_status.get("undelivered", 0),
        replies=replies or 0,
        days=days,
        per_day=per_day,
    )


def _per_day(session: Session, now: dt.datetime) -> tuple[list[dt.date], dict[str, list[int]]]:
    """Counts per UTC day over the last DAYS days, counted here so any database will do."""
    start = (now - dt.timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [start.date() + dt.timedelta(days=n) for n in range(DAYS)]
    moments = {
        "enrolled": select(ConversationRow.enrolled_at).where(ConversationRow.enrolled_at >= start),
        "texts in": select(MessageRow.created_at).where(
            MessageRow.direction == "in", MessageRow.created_at >= start
        ),
        "texts out": select(MessageRow.created_at).where(
            MessageRow.direction == "out", MessageRow.created_at >= start
        ),
    }
    per_day = {}
    for name, query in moments.items():
        found = session.scalars(query)
        counts = collections.Counter(t.astimezone(dt.UTC).date() for t in found if t)
        per_day[name] = [counts.get(d, 0) for d in days]
    return days, per_day


def chart(summary: Summary, width: int = 560, height: int = 160) -> dict[str, str]:
    """Polyline points per series for an inline SVG, scaled to the busiest day."""
    top = max([1, *(v for values in summary.per_day.values() for v in values)])
    step = width / max(len(summary.days) - 1, 1)
    return {
        name: " ".join(
            f"{i * step:.1f},{height - v * height / top:.1f}" for i, v in enumerate(values)
        )
        for name, values in summary.per_day.items()
    }


def _pairs(result: Result[str, int]) -> dict[str, int]:
    return {key: value for key, value in result}
