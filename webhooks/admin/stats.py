"""The program's numbers: who is enrolled, how texts fare, and activity per day.

Sandbox numbers (the simulator's) are left out of every figure: their clocks run ahead,
and they are nobody. The cards for the last DAYS days count exactly what the chart draws.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt

from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session

from store.models import ConversationRow, MessageRow, SandboxRow

DAYS = 28
SERIES = ("enrolled", "texts in", "texts out")
REAL_PERSON = ConversationRow.phone.not_in(select(SandboxRow.phone))
REAL_MESSAGE = MessageRow.conversation_id.not_in(
    select(ConversationRow.id).where(ConversationRow.phone.in_(select(SandboxRow.phone)))
)
SENT = (MessageRow.direction == "out", MessageRow.sid.is_not(None))  # handed to Twilio


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
            select(ConversationRow.status, func.count())
            .where(REAL_PERSON)
            .group_by(ConversationRow.status)
        )
    )
    languages = _pairs(
        session.execute(
            select(ConversationRow.language, func.count())
            .where(enrolled, REAL_PERSON)
            .group_by(ConversationRow.language)
        )
    )
    sent_status = _pairs(
        session.execute(
            select(MessageRow.status, func.count())
            .where(*SENT, REAL_MESSAGE)
            .group_by(MessageRow.status)
        )
    )
    replies = session.scalar(
        select(func.count())
        .select_from(MessageRow)
        .where(MessageRow.direction == "in", REAL_MESSAGE)
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
    """Counts per UTC day over the last DAYS days up to now, counted here so any database
    will do."""
    start = (now - dt.timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [start.date() + dt.timedelta(days=n) for n in range(DAYS)]
    joined, created = ConversationRow.enrolled_at, MessageRow.created_at
    moments = {
        "enrolled": select(joined).where(joined >= start, joined <= now, REAL_PERSON),
        "texts in": select(created).where(
            MessageRow.direction == "in", created >= start, created <= now, REAL_MESSAGE
        ),
        "texts out": select(created).where(*SENT, created >= start, created <= now, REAL_MESSAGE),
    }
    per_day = {}
    for name, query in moments.items():
        found = session.scalars(query)
        counts = collections.Counter(t.astimezone(dt.UTC).date() for t in found if t)
        per_day[name] = [counts.get(d, 0) for d in days]
    return days, per_day


@dataclasses.dataclass(frozen=True, slots=True)
class Chart:
    """An inline SVG's lines and axes: points per series, and where each tick goes."""

    lines: dict[str, str]
    y_ticks: list[tuple[float, int]]  # (y, count)
    x_ticks: list[tuple[float, str]]  # (x, date)
    width: int
    height: int


def chart(summary: Summary, width: int = 560, height: int = 160) -> Chart:
    """Polyline points per series, scaled to the busiest day, with axes to read them by."""
    top = max([1, *(v for values in summary.per_day.values() for v in values)])
    step = width / max(len(summary.days) - 1, 1)
    lines = {
        name: " ".join(
            f"{i * step:.1f},{height - v * height / top:.1f}" for i, v in enumerate(values)
        )
        for name, values in summary.per_day.items()
    }
    counts = sorted({0, top // 2, top})
    y_ticks = [(height - c * height / top, c) for c in counts]
    last = len(summary.days) - 1
    x_ticks = [(i * step, summary.days[i].strftime("%b %d")) for i in sorted({0, last // 2, last})]
    return Chart(lines, y_ticks, x_ticks, width, height)


def _pairs(result: Result[str, int]) -> dict[str, int]:
    return {key: value for key, value in result}
