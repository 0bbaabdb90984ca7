"""Quiet hours, spacing, a daily and a weekly cap, in the person's own time zone."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from zoneinfo import ZoneInfo

EARLIEST_START = dt.time(8, 0)
LATEST_END = dt.time(21, 0)
WEEK = dt.timedelta(days=7)


@dataclasses.dataclass(frozen=True, slots=True)
class Window:
    """When reminders may reach a person: between start and end local time, spaced, capped.

    The weekly cap holds over any seven days in a row (not calendar weeks): it is the
    number the consent text promises, for texts and calls together.
    """

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(20, 0)
    spacing: dt.timedelta = dt.timedelta(hours=1)
    max_per_day: int = 3
    max_per_week: int = 4

    def __post_init__(self) -> None:
        if self.start < EARLIEST_START or self.end > LATEST_END or self.start >= self.end:
            raise ValueError(f"quiet-hours window {self.start}-{self.end} must lie in 08:00-21:00")
        if self.max_per_day < 1 or self.spacing < dt.timedelta(0):
            raise ValueError("max_per_day must be at least 1 and spacing not negative")
        if not self.max_per_day <= self.max_per_week <= 7 * self.max_per_day:
            raise ValueError("max_per_week must lie between max_per_day and 7 times it")


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def earliest_slot(
    t: dt.datetime, zone: str, window: Window, sends: Sequence[dt.datetime]
) -> dt.datetime:
    """The first moment at or after `t` a reminder may go, given the person's other sends."""
    tz = ZoneInfo(zone)
    for _ in range(400):  # each turn moves forward; the bound only guards against a bad window
        local = t.astimezone(tz)
        day = local.date()
        if local.time() < window.start:
            t = _at(day, window.start, tz)
            continue
        if local.time() >= window.end:
            t = _at(day + dt.timedelta(days=1), window.start, tz)
            continue
        if sum(1 for s in sends if s.astimezone(tz).date() == day) >= window.max_per_day:
            t = _at(day + dt.timedelta(days=1), window.start, tz)
            continue
        if (free := week_full_until(t, sends, window.max_per_week)) is not None:
            t = free
            continue
        near = [s for s in sends if abs(s - t) < window.spacing]
        if near:
            t = max(near) + window.spacing
            continue
        return t
    raise RuntimeError("no slot found within 400 steps")


def week_full_until(t: dt.datetime, sends: Sequence[dt.datetime], cap: int) -> dt.datetime | None:
    """None when one more send at `t` keeps every seven days in a row at `cap` or fewer;
    otherwise the earliest moment worth trying next.

    Only windows that start at a send in the week before `t`, or at `t` itself, can hold
    the most sends, so those are the ones counted. A full one that started before `t` frees
    up a week after its start; one that starts at `t` (sends already planned after it) only
    after the next of those.
    """
    near = sorted(s for s in sends if t - WEEK < s < t + WEEK)
    starts = [s for s in near if s < t] + [t]
    full = [start for start in starts if sum(1 for s in near if start <= s < start + WEEK) >= cap]
    if not full:
        return None
    if earlier := [start for start in full if start < t]:
        return max(earlier) + WEEK
    return min(s for s in near if s >= t) + dt.timedelta(seconds=1)


def week_has_room(t: dt.datetime, sends: Sequence[dt.datetime], cap: int) -> bool:
    """Whether one more send at `t` keeps every seven days in a row at `cap` or fewer."""
    return week_full_until(t, sends, cap) is None


class Wait(StrEnum):
    """Why a reminder due at some moment may not go then (the simulator says it)."""

    QUIET_HOURS = "quiet_hours"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"
    SPACING = "spacing"


def why_not_now(
    t: dt.datetime, zone: str, window: Window, sends: Sequence[dt.datetime]
) -> Wait | None:
    """The first rule of `earliest_slot` that holds a reminder back at `t`; None: it may go."""
    tz = ZoneInfo(zone)
    local = t.astimezone(tz)
    if not window.start <= local.time() < window.end:
        return Wait.QUIET_HOURS
    if sum(1 for s in sends if s.astimezone(tz).date() == local.date()) >= window.max_per_day:
        return Wait.DAILY_CAP
    if week_full_until(t, sends, window.max_per_week) is not None:
        return Wait.WEEKLY_CAP
    if any(abs(s - t) < window.spacing for s in sends):
        return Wait.SPACING
    return None
