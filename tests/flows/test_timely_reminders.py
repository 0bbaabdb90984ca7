"""Reminders never say something untimely, however late they go, and the caps keep the
important ones: pure, with the clock passed in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flowkit import at_ready, enrolled, message

from flows import Conversation, Language, Machine, Referral, Status, Step
from flows.conversation.external import StaffAction, StaffChange
from flows.reminders.compose import REFERRAL_FOLLOW_UPS, ReminderDue
from flows.reminders.plan import plan
from flows.reminders.sending import Verdict, decide
from flows.reminders.timely import AFTER_VISIT
from flows.reminders.window import Window, week_has_room

NY = ZoneInfo("America/New_York")
VISIT = dt.date(2026, 12, 15)  # a Tuesday
EN, ES = Language.EN, Language.ES


def local(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), NY).astimezone(dt.UTC)


def days_before(n: int, hour: int = 10) -> dt.datetime:
    return local(VISIT - dt.timedelta(days=n), hour)


def said(machine: Machine, conv: Conversation, kind: str, now: dt.datetime, nth: int = 0):
    outcome = machine.step(conv, ReminderDue(kind, nth), now)
    return machine.render(outcome.reply) if outcome.reply else None


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (EN, "Your visit is in 5 days, on Tuesday, December 15."),
        (ES, "Su cita es dentro de 5 días, el martes 15 de diciembre."),
    ],
)
def test_a_week_before_reminder_sent_late_says_how_far_the_visit_really_is(
    machine, language, words
):
    conv = at_ready(language, records_done=frozenset({1, 2, 3, 4}))
    text = said(machine, conv, "week_before", days_before(5))
    assert text is not None
    assert words in text
    assert "week" not in text and "semana" not in text


def test_on_time_it_says_seven_days(machine):
    text = said(machine, at_ready(EN), "week_before", days_before(7)) or ""
    assert "Your visit is in 7 days, on Tuesday, December 15." in text


@pytest.mark.parametrize(
    ("language", "today", "tomorrow"), [(EN, "today, Tuesday", "tomorrow, Tuesday"),
                                        (ES, "hoy, martes", "mañana, martes")]
)  # fmt: skip
def test_the_day_before_reminder_says_today_on_the_day(machine, language, today, tomorrow):
    conv = at_ready(language)
    assert tomorrow in (said(machine, conv, "day_before", days_before(1, 17)) or "")
    assert today in (said(machine, conv, "day_before", days_before(0, 9)) or "")


PLANNED = [
    "checklist", "normal", "phrase", "referral_followup", "referral_unsure", "week_before",
    "three_days_before", "day_before",
]  # fmt: skip


@pytest.mark.parametrize("kind", PLANNED)
@pytest.mark.parametrize("after", [1, 3, 30])
def test_nothing_is_said_about_a_visit_that_has_passed(machine, kind, after):
    conv = at_ready(EN, referral=Referral.NEEDED if "referral" in kind else Referral.NOT_NEEDED)
    conv = conv.replace(referral=Referral.UNSURE) if kind == "referral_unsure" else conv

    assert said(machine, conv, kind, local(VISIT + dt.timedelta(days=after))) is None


def test_the_follow_up_goes_after_the_visit_and_its_check_completes(machine):
    day_after = local(VISIT + dt.timedelta(days=1), 11)
    asked = machine.step(at_ready(EN), ReminderDue("day_after"), day_after)
    assert asked.reply is not None and asked.conversation.step is Step.OUTCOME
    check = local(VISIT + dt.timedelta(days=3), 11)
    done = machine.step(asked.conversation, ReminderDue("visit_check"), check)
    assert done.reply is not None and done.conversation.status is Status.COMPLETED


@pytest.mark.parametrize("kind", [k for k in PLANNED if k != "day_before"])
def test_on_the_visit_day_only_what_to_bring(machine, kind):
    conv = at_ready(EN, referral=Referral.NEEDED)
    assert said(machine, conv, kind, local(VISIT, 9)) is None


@pytest.mark.parametrize("language", [EN, ES])
def test_three_days_before_keeps_the_missing_records_beside_the_referral(machine, language):
    conv = at_ready(language, referral=Referral.NEEDED, records_done=frozenset({1, 3}))

    text = said(machine, conv, "three_days_before", days_before(3)) or ""

    assert ("SENT" in text) or ("ENVIADO" in text)
    assert "2 Imaging" in text or "2 Estudios de imagen" in text
    assert "4 Doctor's notes" in text or "4 Notas del médico" in text
    assert "1 " not in text.split(": ", 1)[1].split(".")[0]  # a record already got is not listed


@pytest.mark.parametrize("channel", ["sms", "voice"])
@pytest.mark.parametrize("language", [EN, ES])
def test_each_referral_follow_up_says_something_new(machine, language, channel):
    conv = at_ready(language, referral=Referral.NEEDED)
    replies = [
        machine.step(conv, ReminderDue("referral_followup", n), days_before(20)).reply
        for n in range(len(REFERRAL_FOLLOW_UPS))
    ]
    words = [machine.render(r, channel) for r in replies if r is not None]
    repeats = next(r.repeat_max for r in machine.plan.rules if r.kind == "referral_followup")
    assert len(set(words)) == len(REFERRAL_FOLLOW_UPS) == repeats


def test_resumed_after_the_visit_nothing_is_planned_and_nothing_old_is_said(machine):
    person = at_ready(EN, enrolled_at=days_before(20))
    two_days_after = local(VISIT + dt.timedelta(days=2))

    resumed = machine.step(person, StaffChange(StaffAction.RESUME, "nadia"), two_days_after)

    planned = resumed.reminders.plan
    assert planned is not None and {p.kind for p in planned} <= AFTER_VISIT  # did you go?
    assert said(machine, person, "week_before", two_days_after) is None


def test_a_late_sign_up_gets_no_referral_reminder_on_or_after_the_visit_day(machine):
    now = days_before(3, 11)
    conv = at_ready(EN, referral=Referral.NEEDED, referral_at=now, enrolled_at=now)

    for item in plan(conv, now, machine.plan):
        day = item.due_at.astimezone(NY).date()
        if item.kind not in AFTER_VISIT:
            assert day < VISIT or item.kind == "day_before", item
        assert not (item.kind.startswith("referral") and day >= VISIT), item


def test_the_caps_keep_the_important_reminders_of_a_late_sign_up(machine):
    now = days_before(3, 11)
    conv = at_ready(EN, referral=Referral.NEEDED, referral_at=now, enrolled_at=now)

    planned = plan(conv, now, machine.plan)

    times = [p.due_at for p in planned]
    week = dt.timedelta(days=7)
    most = max(sum(1 for t in times if s <= t < s + week) for s in times)
    assert most <= machine.plan.window.max_per_week
    assert {"three_days_before", "day_before"} <= {p.kind for p in planned}


# --- the weekly cap itself ----------------------------------------------------------------


def test_any_seven_days_in_a_row_hold_at_most_the_weekly_cap():
    t = local(VISIT)
    days = [t - dt.timedelta(days=d) for d in (6, 4, 2, 1)]  # four in the last week
    assert not week_has_room(t, days, 4)
    assert week_has_room(t, days[1:], 4)
    assert week_has_room(t + dt.timedelta(days=1), days, 4)  # the first fell out of the week
    later = [t + dt.timedelta(days=d) for d in (1, 3, 5, 6)]  # planned after: also counted
    assert not week_has_room(t, later, 4)


def test_a_fifth_reminder_in_a_week_waits_until_the_oldest_is_a_week_old(machine):
    week = [days_before(d) for d in (12, 11, 10, 9)]  # four sent, 10:00 each
    now = days_before(8, 9) + dt.timedelta(hours=3)  # noon, three days after the last

    decision = decide(at_ready(EN), "phrase", True, week, now, machine.plan.window)

    assert decision.verdict is Verdict.DEFER and decision.at is not None
    assert decision.at == week[0] + dt.timedelta(days=7)  # not a minute later


@pytest.mark.parametrize("kind", ["welcome", "by_text", "texted"])
def test_answers_to_a_call_go_at_once_even_at_night_and_past_the_cap(machine, kind):
    night = days_before(10, 23)
    full = [night - dt.timedelta(hours=h) for h in (3, 4, 5, 26)]
    conv = enrolled(EN, Step.DATE)

    assert decide(conv, kind, True, full, night, machine.plan.window).verdict is Verdict.SEND


def test_a_window_whose_weekly_cap_is_below_its_daily_cap_is_refused():
    with pytest.raises(ValueError, match="max_per_week"):
        Window(max_per_day=3, max_per_week=2)


def test_every_reminder_wording_in_both_languages_uses_when(machine):
    for key in ("reminder_week_missing", "reminder_3days_both", "reminder_day_before"):
        for language in (EN, ES):
            text = message(key, language, date=VISIT, days=9, missing=(1,))
            assert "9" in text, (key, language)
