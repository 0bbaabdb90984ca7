"""What the consent promises about frequency holds on every path of the plan, worst case.

Every journey below is walked through the real rules (tests/flows/journeys.py): late
sign-ups, a referral asked again and again, a visit date never given, language switches,
new dates, calls, STOP and START, and a phone sign-up at night. The most reminders anyone
gets in any seven days in a row must not exceed what the consent texts say.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from flowkit import CONTENT, PROGRAM
from journeys import Journey

from flows import Language, Machine, Reply, render
from flows.reminders.compose import APPOINTMENT_KINDS
from flows.reminders.timely import AFTER_VISIT
from flows.voice.actions import KeysPressed
from flows.voice.menu import Action

# What each promise looks like, in each language and channel.
PROMISES = {
    (Language.EN, "sms"): r"up to (\d+) msgs/week",
    (Language.ES, "sms"): r"hasta (\d+) mensajes por semana",
    (Language.EN, "voice"): r"up to (\d+) a week",
    (Language.ES, "voice"): r"hasta (\d+) por semana",
}
SAYS_HOW_OFTEN = {
    "sms": ("consent", "welcome_back", "help", "voice_welcome"),
    "voice": ("consent",),
}


def promised() -> int:
    """The one number every consent and HELP text gives, read from the words themselves."""
    found = set()
    for (language, channel), pattern in PROMISES.items():
        for key in SAYS_HOW_OFTEN[channel]:
            text = render(CONTENT, PROGRAM, Reply(key, language), channel)
            match = re.search(pattern, text, re.IGNORECASE)
            assert match, f"{language}.{channel}.{key} does not say how often: {text!r}"
            found.add(int(match.group(1)))
    assert len(found) == 1, f"the texts promise different numbers: {sorted(found)}"
    return found.pop()


def test_every_text_promises_the_cap_the_plan_keeps(machine: Machine) -> None:
    assert promised() == machine.plan.window.max_per_week


Script = Callable[[Journey, int], None]  # drives a journey whose visit is `visit` days away


def _setup(j: Journey, visit: int, referral: str, hour: int = 10, keyword: str = "SECOND") -> None:
    date = j.date(visit).strftime("%m/%d")
    j.text(j.local(0, hour), keyword, "1" if keyword == "SECOND" else "2", date, "YES", referral)


def plain(referral: str) -> Script:
    return lambda j, visit: _setup(j, visit, referral)


def at_night(referral: str) -> Script:
    return lambda j, visit: _setup(j, visit, referral, hour=22)


def referral_loop(j: Journey, visit: int) -> None:
    _setup(j, visit, "YES")
    for day in range(1, 40):
        j.text(j.local(day, 12), "REFERRAL", "YES")


def no_date_loop(j: Journey, visit: int) -> None:
    j.text(j.local(0, 10), "SECOND", "1", "NOT YET", "NOT SURE")
    for day in range(1, 40):
        j.text(j.local(day, 12), "DATE", "NOT YET")


def language_switch(j: Journey, visit: int) -> None:
    _setup(j, visit, "YES", keyword="SEGUNDA")
    for day in range(1, 40):
        j.text(j.local(day, 12), "EN" if day % 2 else "ES")


def reschedule(j: Journey, visit: int) -> None:
    _setup(j, visit, "YES")
    for n, day in enumerate(range(1, 40, 2)):
        new = j.date(visit + 3 * (n + 1)).strftime("%m/%d")
        j.text(j.local(day, 12), "DATE", new, "YES")


def calls_and_stops(j: Journey, visit: int) -> None:
    _setup(j, visit, "NOT SURE")
    j.text(j.local(0, 12), "CALL")
    for day in range(1, 40, 3):
        j.text(j.local(day, 12), "STOP")
        j.text(j.local(day, 13), "START")


def everything(j: Journey, visit: int) -> None:
    _setup(j, visit, "YES")
    for day in range(1, 40):
        j.text(j.local(day, 12), "REFERRAL", "YES", "ES" if day % 2 else "EN")
        if day % 5 == 0:
            new = j.date(visit + day).strftime("%m/%d")
            j.text(j.local(day, 15), "DATE", new, "YES")


def by_phone_at_night(j: Journey, visit: int) -> None:
    j.press(j.local(0, 23, 30), KeysPressed((Action.ENROL,), Language.EN))
    j.press(j.local(0, 23, 31), KeysPressed((Action.TEXT_INFO,), Language.EN))
    j.text(j.local(1, 8), j.date(visit).strftime("%m/%d"), "YES", "YES")


SCRIPTS: dict[str, Script] = {
    "referral needed": plain("YES"),
    "no referral": plain("NO"),
    "not sure": plain("NOT SURE"),
    "signed up at night": at_night("YES"),
    "referral loop": referral_loop,
    "no-date loop": no_date_loop,
    "language switch": language_switch,
    "reschedule": reschedule,
    "calls, stop and start": calls_and_stops,
    "everything at once": everything,
    "phone sign-up at night": by_phone_at_night,
}
VISITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 21, 30]


@pytest.fixture(scope="module")
def journeys(machine: Machine) -> dict[tuple[str, int], Journey]:
    walked = {}
    for (name, script), visit in itertools.product(SCRIPTS.items(), VISITS):
        journey = Journey(machine)
        script(journey, visit)
        journey.run_until(journey.local(60, 0))
        walked[name, visit] = journey
    return walked


def test_the_worst_case_over_every_path_keeps_the_consents_promise(journeys) -> None:
    cap = promised()
    worst = max(journeys.items(), key=lambda item: item[1].most_in_seven_days())
    (name, visit), journey = worst
    kinds = [(r.at.isoformat(timespec="minutes"), r.kind) for r in journey.reminders]
    assert journey.most_in_seven_days() <= cap, (name, visit, kinds)
    assert journey.most_in_seven_days() == cap  # the cap is reached somewhere: the test can fail


def test_no_day_has_more_than_the_daily_cap(journeys, machine: Machine) -> None:
    for (name, visit), journey in journeys.items():
        assert journey.most_in_one_day() <= machine.plan.window.max_per_day, (name, visit)


def test_nothing_goes_out_at_night_but_answers_to_what_the_person_just_did(journeys) -> None:
    for (name, visit), journey in journeys.items():
        zone = ZoneInfo(journey.zone)
        for sent in journey.reminders:
            local = sent.at.astimezone(zone).time()
            assert 9 <= local.hour < 20, (name, visit, sent.kind, local)


def test_nothing_about_a_visit_that_has_passed_but_the_follow_up(journeys) -> None:
    for (name, visit), journey in journeys.items():
        zone = ZoneInfo(journey.zone)
        for sent in journey.reminders:
            appointment = sent.conversation.appointment
            if appointment is None:
                continue
            left = (appointment - sent.at.astimezone(zone).date()).days
            if sent.kind in AFTER_VISIT:  # did the visit happen?
                assert left < 0, (name, visit, sent)
            elif left < 0:
                pytest.fail(f"{name}, visit in {visit} days: {sent.kind} after the visit")
            elif left == 0:
                assert sent.kind == "day_before", (name, visit, sent.kind)  # what to bring


def test_a_late_reminder_never_says_one_week_or_tomorrow_when_it_is_not(journeys) -> None:
    for (name, visit), journey in journeys.items():
        zone = ZoneInfo(journey.zone)
        for sent in journey.reminders:
            if sent.kind not in APPOINTMENT_KINDS or sent.conversation.appointment is None:
                continue
            left = (sent.conversation.appointment - sent.at.astimezone(zone).date()).days
            words = sent.text.lower()
            assert "one week" not in words and "una semana para" not in words
            assert ("tomorrow" in words or "mañana" in words) == (left == 1), (name, visit, sent)
            if left >= 2:
                assert f"in {left} days" in words or f"dentro de {left} días" in words


def test_the_confirmation_of_consent_is_always_the_first_text(journeys) -> None:
    for (name, visit), journey in journeys.items():
        first = journey.received[0]
        assert first.kind in ("reply:consent", "welcome"), (name, visit, first.kind)
        assert "STOP" in first.text and ("HELP" in first.text or "AYUDA" in first.text)
