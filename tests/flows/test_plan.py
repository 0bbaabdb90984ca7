"""The reminder plan and quiet hours, pure: no database, no clock but the one passed in."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from flows.conversation.state import Conversation, Referral, Status, Step
from flows.reminders.plan import load_plan, plan
from flows.reminders.window import Window, earliest_slot

SPEC = load_plan()
NY = "America/New_York"
HONOLULU = "Pacific/Honolulu"


def local(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)  # type: ignore[misc]


def enrolled(zone: str = NY, at: dt.datetime | None = None, **changes: object) -> Conversation:
    joined = at or local(zone, 2026, 11, 2, 10, 0)
    conv = Conversation(
        status=Status.ACTIVE, step=Step.READY, timezone=zone, enrolled_at=joined,
        referral=Referral.NOT_NEEDED,
    )  # fmt: skip
    return conv.replace(**changes)


def kinds(conv: Conversation, now: dt.datetime) -> list[str]:
    return [p.kind for p in plan(conv, now, SPEC)]


def test_a_full_plan_in_order() -> None:
    now = local(NY, 2026, 11, 2, 10, 0)
    conv = enrolled(appointment=dt.date(2026, 11, 30))
    assert kinds(conv, now) == [
        "checklist", "normal", "phrase", "week_before", "three_days_before", "day_before",
        "day_after", "visit_check",
    ]  # fmt: skip
    due = {p.kind: p.due_at.astimezone(ZoneInfo(NY)) for p in plan(conv, now, SPEC)}
    assert due["week_before"] == dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(NY))
    assert due["day_before"] == dt.datetime(2026, 11, 29, 17, 0, tzinfo=ZoneInfo(NY))
    assert due["day_after"] == dt.datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo(NY))
    assert due["visit_check"] == dt.datetime(2026, 12, 3, 11, 0, tzinfo=ZoneInfo(NY))


def test_the_same_plan_lands_at_each_persons_own_local_times() -> None:
    for zone in (NY, HONOLULU):
        now = local(zone, 2026, 11, 2, 10, 0)
        conv = enrolled(zone, appointment=dt.date(2026, 11, 30))
        times = [p.due_at.astimezone(ZoneInfo(zone)).time() for p in plan(conv, now, SPEC)]
        assert times == [
            dt.time(10, 30),
            dt.time(10),
            dt.time(10),
            dt.time(10),
            dt.time(10),
            dt.time(17),
            dt.time(11),
            dt.time(11),
        ]


def test_enrolling_at_night_gets_the_checklist_next_morning() -> None:
    now = local(NY, 2026, 11, 2, 22, 40)
    conv = enrolled(at=now)
    first = plan(conv, now, SPEC)[0]
    assert first.kind == "checklist"
    assert first.due_at == local(NY, 2026, 11, 3, 9, 0)


def test_a_late_enrolment_squeezes_the_important_steps_in_priority_order() -> None:
    now = local(NY, 2026, 11, 28, 11, 0)  # the visit is in two days
    conv = enrolled(at=now, appointment=dt.date(2026, 11, 30), referral=Referral.NEEDED,
                    referral_at=now)  # fmt: skip
    items = plan(conv, now, SPEC)
    assert items[0].kind == "three_days_before"  # it lists the missing records
    assert "checklist" not in [p.kind for p in items]  # so the checklist would only repeat it
    assert "week_before" not in [p.kind for p in items]
    assert "day_before" in [p.kind for p in items]
    gaps = [b.due_at - a.due_at for a, b in itertools.pairwise(items)]
    assert all(g >= dt.timedelta(hours=1) for g in gaps)


def test_no_more_than_three_a_day_and_an_hour_apart() -> None:
    now = local(NY, 2026, 11, 2, 10, 0)
    conv = enrolled(at=now, appointment=dt.date(2026, 11, 4), referral=Referral.UNSURE,
                    referral_at=now)  # fmt: skip
    items = plan(conv, now, SPEC)
    per_day: dict[dt.date, int] = {}
    for item in items:
        day = item.due_at.astimezone(ZoneInfo(NY)).date()
        per_day[day] = per_day.get(day, 0) + 1
        assert dt.time(9) <= item.due_at.astimezone(ZoneInfo(NY)).time() < dt.time(20)
    assert max(per_day.values()) <= 3


def test_referral_followups_repeat_a_bounded_number_of_times_only_while_needed() -> None:
    now = local(NY, 2026, 11, 2, 10, 0)
    needed = enrolled(referral=Referral.NEEDED, referral_at=now)
    assert kinds(needed, now).count("referral_followup") == 3
    assert "referral_followup" not in kinds(needed.replace(referral=Referral.SENT), now)
    assert (
        kinds(enrolled(referral=Referral.UNSURE, referral_at=now), now).count("referral_unsure")
        == 1
    )


def test_no_date_yet_asks_again_later() -> None:
    now = local(NY, 2026, 11, 2, 10, 0)
    assert "date_again" in kinds(enrolled(date_deferred=True, deferred_at=now), now)
    assert "date_again" not in kinds(enrolled(), now)


@pytest.mark.parametrize(
    "status", [Status.OPTED_OUT, Status.NEW, Status.COMPLETED, Status.UNREACHABLE]
)
def test_nobody_but_an_active_person_has_a_plan(status: Status) -> None:
    now = local(NY, 2026, 11, 2, 10, 0)
    assert plan(enrolled(status=status, appointment=dt.date(2026, 11, 30)), now, SPEC) == []


def test_keys_name_the_appointment_so_a_new_date_makes_new_reminders() -> None:
    now = local(NY, 2026, 11, 2, 10, 0)
    first = {p.key for p in plan(enrolled(appointment=dt.date(2026, 11, 30)), now, SPEC)}
    moved = {p.key for p in plan(enrolled(appointment=dt.date(2026, 12, 7)), now, SPEC)}
    assert "week_before:2026-11-30:0" in first and "week_before:2026-12-07:0" in moved


def test_a_reminder_due_at_11pm_waits_for_9am() -> None:
    due = local(NY, 2026, 11, 2, 23, 0)
    assert earliest_slot(due, NY, Window(), []) == local(NY, 2026, 11, 3, 9, 0)


def test_spacing_and_daily_cap_push_a_reminder_along() -> None:
    t = local(NY, 2026, 11, 2, 12, 0)
    assert earliest_slot(t, NY, Window(), [t - dt.timedelta(minutes=20)]) == t + dt.timedelta(
        minutes=40
    )
    three = [local(NY, 2026, 11, 2, h, 0) for h in (9, 10, 11)]
    assert earliest_slot(t, NY, Window(), three) == local(NY, 2026, 11, 3, 9, 0)


def test_quiet_hours_follow_daylight_saving() -> None:
    due = local(NY, 2026, 11, 1, 6, 0)  # the morning the clocks go back
    assert earliest_slot(due, NY, Window(), []).astimezone(ZoneInfo(NY)).time() == dt.time(9)


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.time(7), dt.time(20)), (dt.time(9), dt.time(22)), (dt.time(12), dt.time(11))],
)
def test_a_window_wider_than_8_to_9_is_refused(start: dt.time, end: dt.time) -> None:
    with pytest.raises(ValueError, match="08:00-21:00"):
        Window(start=start, end=end)


def test_a_sign_up_five_days_before_gets_the_checklist_not_a_late_week_before() -> None:
    now = local(NY, 2026, 11, 25, 11, 0)  # the visit is in five days
    conv = enrolled(at=now, appointment=dt.date(2026, 11, 30))
    planned = kinds(conv, now)
    assert planned[0] == "checklist" and "week_before" not in planned
    assert "three_days_before" in planned
