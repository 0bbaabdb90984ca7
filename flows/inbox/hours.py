"""Office hours, in the program's time zone: when a person from the team will answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOK_AHEAD = 366  # days searched for the next open one: a year of closed days is a mistake


@dataclasses.dataclass(frozen=True, slots=True)
class OfficeHours:
    """When staff read the inbox; a day not in `days`, or in `closed`, nobody does."""

    zone: str = "America/New_York"
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 0)
    days: frozenset[int] = frozenset(range(5))  # Monday is 0
    closed: frozenset[dt.date] = frozenset()  # holidays

    def __post_init__(self) -> None:
        ZoneInfo(self.zone)  # an unknown zone fails at start-up, not on a patient's text
        if self.opens >= self.closes:
            raise ValueError(f"office hours {self.opens}-{self.closes}: opening must come first")
        if not self.days or not self.days <= set(range(7)):
            raise ValueError("office days must name at least one day of the week")

    def is_open_on(self, day: dt.date) -> bool:
        return day.weekday() in self.days and day not in self.closed


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerBy:
    """When a person will answer: later the same day, or on `day`, the office's next open day."""

    same_day: bool
    day: dt.date


def answer_by(now: dt.datetime, hours: OfficeHours) -> AnswerBy:
    """Today while the office is (or will be) open today; else its next open day."""
    local = now.astimezone(ZoneInfo(hours.zone))
    if hours.is_open_on(local.date()) and local.time() < hours.closes:
        return AnswerBy(True, local.date())
    day = local.date()
    for _ in range(LOOK_AHEAD):
        day += dt.timedelta(days=1)
        if hours.is_open_on(day):
            return AnswerBy(False, day)
    raise ValueError("the office is closed every day of the coming year")


def parse_days(text: str) -> frozenset[int]:
    """`mon,tue,wed` or `mon-fri` -> weekday numbers; an unknown name is an error."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = (name[:3] for name in part.partition("-"))
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"not a day of the week: {part!r} (use mon, tue, ... sun)")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return frozenset(days)
