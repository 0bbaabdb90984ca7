"""Why a reminder may not go at a given moment: the rule the simulator names."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flows.reminders.window import Wait, Window, earliest_slot, why_not_now

LA = "America/Los_Angeles"
WINDOW = Window()


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo(LA)).astimezone(dt.UTC)


def test_night_in_the_persons_own_zone_is_quiet_hours():
    assert why_not_now(at(14, 22), LA, WINDOW, []) is Wait.QUIET_HOURS
    assert why_not_now(at(14, 7), LA, WINDOW, []) is Wait.QUIET_HOURS


def test_a_send_half_an_hour_ago_is_spacing():
    assert why_not_now(at(14, 12), LA, WINDOW, [at(14, 11, 30)]) is Wait.SPACING


def test_three_sends_today_is_the_daily_cap():
    sends = [at(14, 9), at(14, 11), at(14, 13)]
    assert why_not_now(at(14, 15), LA, WINDOW, sends) is Wait.DAILY_CAP


def test_four_sends_this_week_is_the_weekly_cap():
    sends = [at(10, 9), at(11, 9), at(12, 9), at(13, 9)]
    assert why_not_now(at(14, 12), LA, WINDOW, sends) is Wait.WEEKLY_CAP


def test_a_free_moment_has_no_reason_and_is_the_earliest_slot():
    sends = [at(14, 9)]
    assert why_not_now(at(14, 12), LA, WINDOW, sends) is None
    assert earliest_slot(at(14, 12), LA, WINDOW, sends) == at(14, 12)
