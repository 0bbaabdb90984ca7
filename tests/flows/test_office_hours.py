"""When a person answers: today while the office is open, else its next open day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from flows.inbox.hours import AnswerBy, OfficeHours, answer_by, parse_days

NY = ZoneInfo("America/New_York")
HOURS = OfficeHours(zone="America/New_York", closed=frozenset({dt.date(2026, 12, 25)}))


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (ny(2026, 12, 16, 8, 0), AnswerBy(True, dt.date(2026, 12, 16))),  # Wednesday, before 9
        (ny(2026, 12, 16, 16, 59), AnswerBy(True, dt.date(2026, 12, 16))),
        (ny(2026, 12, 16, 17, 0), AnswerBy(False, dt.date(2026, 12, 17))),  # closed: Thursday
        (ny(2026, 12, 18, 18, 30), AnswerBy(False, dt.date(2026, 12, 21))),  # Friday night
        (ny(2026, 12, 19, 11, 0), AnswerBy(False, dt.date(2026, 12, 21))),  # Saturday
        (ny(2026, 12, 24, 20, 0), AnswerBy(False, dt.date(2026, 12, 28))),  # a holiday, a weekend
        (ny(2026, 12, 25, 10, 0), AnswerBy(False, dt.date(2026, 12, 28))),  # on the holiday
    ],
)
def test_the_answer_comes_today_or_on_the_next_open_day(now, expected) -> None:
    assert answer_by(now, HOURS) == expected


def test_office_hours_are_read_in_the_programs_zone_not_the_patients() -> None:
    honolulu_evening = dt.datetime(2026, 12, 16, 14, 0, tzinfo=ZoneInfo("Pacific/Honolulu"))
    assert answer_by(honolulu_evening, HOURS) == AnswerBy(False, dt.date(2026, 12, 17))  # 19:00 NY


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon,Wed, Friday", {0, 2, 4}),
        ("sat-mon", {5, 6, 0}),
        ("sun", {6}),
    ],
)
def test_office_days_are_written_as_names_or_ranges(text: str, days: set[int]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["funday", "mon-xyz", "1-5"])
def test_an_unknown_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="day of the week"):
        parse_days(text)


def test_hours_that_close_before_they_open_or_have_no_days_are_refused() -> None:
    with pytest.raises(ValueError, match="opening"):
        OfficeHours(opens=dt.time(17), closes=dt.time(9))
    with pytest.raises(ValueError, match="at least one day"):
        OfficeHours(days=frozenset())
