"""When a text staff wrote goes: consent always; quiet hours, unless the patient wrote within
the last hour; never spacing or the daily cap, which are for reminders."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flowkit import at_ready

from flows import Status
from flows.reminders.sending import STAFF_TEXT, Decision, Verdict, decide, may_send
from flows.reminders.window import Window

NY = ZoneInfo("America/New_York")
WINDOW = Window()
NIGHT = dt.datetime(2026, 12, 16, 22, 30, tzinfo=NY)
MORNING = dt.datetime(2026, 12, 17, 9, 0, tzinfo=NY)
NOON = dt.datetime(2026, 12, 16, 12, 0, tzinfo=NY)


def staff_text(now: dt.datetime, last_heard: dt.datetime | None = None, **kw) -> Decision:  # type: ignore[no-untyped-def]
    conv = at_ready(**kw)
    return decide(conv, STAFF_TEXT, True, [], now, WINDOW, last_heard=last_heard)


def test_an_answer_to_someone_who_just_wrote_goes_even_at_night() -> None:
    assert staff_text(NIGHT, last_heard=NIGHT - dt.timedelta(minutes=59)).verdict is Verdict.SEND


def test_otherwise_quiet_hours_hold_it_until_the_morning() -> None:
    held = staff_text(NIGHT, last_heard=NIGHT - dt.timedelta(minutes=61))
    assert held == Decision(Verdict.DEFER, MORNING.astimezone(dt.UTC))
    assert staff_text(NIGHT).verdict is Verdict.DEFER  # staff texting first, at night


def test_spacing_and_the_daily_cap_are_for_reminders_only() -> None:
    busy_day = [NOON - dt.timedelta(minutes=m) for m in (10, 90, 180)]
    conv = at_ready()
    reminder = decide(conv, "phrase", True, busy_day, NOON, WINDOW)
    assert reminder.verdict is Verdict.DEFER
    assert decide(conv, STAFF_TEXT, True, busy_day, NOON, WINDOW).verdict is Verdict.SEND


@pytest.mark.parametrize(
    ("status", "consented", "allowed"),
    [
        (Status.ACTIVE, True, True),
        (Status.COMPLETED, True, True),  # the visit is over; they can still be answered
        (Status.OPTED_OUT, True, False),
        (Status.UNREACHABLE, True, False),
        (Status.NEW, False, False),
        (Status.ACTIVE, False, False),  # no consent on record
    ],
)
def test_only_people_who_joined_and_never_stopped_may_be_texted(status, consented, allowed) -> None:
    assert may_send(at_ready(status=status), STAFF_TEXT, consented) is allowed
    stopped = decide(at_ready(status=status), STAFF_TEXT, consented, [], NOON, WINDOW)
    assert (stopped.verdict is not Verdict.CANCEL) is allowed
