"""The visit date: read the way people type it, repeated back, saved only after a yes."""

import datetime as dt
import re

import pytest
from flowkit import NOW, TODAY, Patient, at_ready, chat, enrolled, message

from flows import Language, Referral, Step
from flows.conversation.dates import read_date

EN, ES = Language.EN, Language.ES
TUESDAY_DEC_1 = dt.date(2026, 12, 1)  # "next Tuesday" seen from Wednesday, November 25
DEC_15 = dt.date(2026, 12, 15)
JAN_3 = dt.date(2027, 1, 3)


def test_today_is_a_wednesday():
    assert TODAY.weekday() == 2
    assert NOW.astimezone(dt.timezone(dt.timedelta(hours=-5))).date() == TODAY


@pytest.mark.parametrize(
    ("typed", "language", "meant"),
    [
        ("12/15", EN, DEC_15),
        ("12/15", ES, DEC_15),
        ("12-15", EN, DEC_15),
        ("Dec 15", EN, DEC_15),
        ("dec 15", ES, DEC_15),
        ("December 15th", EN, DEC_15),
        ("december 15th", EN, DEC_15),
        ("on Dec 15", EN, DEC_15),
        ("it's 12/15", EN, DEC_15),
        ("Dec 15, 2026", EN, DEC_15),
        ("15 de diciembre", ES, DEC_15),
        ("15 de diciembre", EN, DEC_15),
        ("diciembre 15", ES, DEC_15),
        ("15 dic", ES, DEC_15),
        ("mi cita es el 15 de diciembre", ES, DEC_15),
        ("el martes 15 de diciembre", ES, DEC_15),
        ("el 3 de enero", ES, JAN_3),
        # A day alone is the next day of that number (today included): repeated back first.
        ("the 15th", EN, DEC_15),
        ("on the 15th", EN, DEC_15),
        ("el 15", ES, DEC_15),
        ("el día 15", ES, DEC_15),
        ("the 25th", EN, TODAY),
        ("the 3rd", EN, dt.date(2026, 12, 3)),
        ("the 31st", EN, dt.date(2026, 12, 31)),  # November has no 31st
        # A month one or two letters off, put right (the closest one; a tie stays unread).
        ("15 de dicembre", ES, DEC_15),
        ("Decmber 15", EN, DEC_15),
        ("3 de enero", ES, JAN_3),
        ("1/3", EN, JAN_3),
        ("tomorrow", EN, dt.date(2026, 11, 26)),
        ("Tomorrow", ES, dt.date(2026, 11, 26)),
        ("mañana", ES, dt.date(2026, 11, 26)),
        ("manana", ES, dt.date(2026, 11, 26)),
        ("today", EN, TODAY),
        ("hoy", ES, TODAY),
        ("next tuesday", EN, TUESDAY_DEC_1),
        ("Next Tuesday", ES, TUESDAY_DEC_1),
        ("tuesday", EN, TUESDAY_DEC_1),
        ("tue", EN, TUESDAY_DEC_1),
        ("this friday", EN, dt.date(2026, 11, 27)),
        ("next wednesday", EN, dt.date(2026, 12, 2)),  # never today: a week on
        ("el próximo martes", ES, TUESDAY_DEC_1),
        ("el proximo martes", ES, TUESDAY_DEC_1),
        ("próximo martes", ES, TUESDAY_DEC_1),
        ("el martes que viene", ES, TUESDAY_DEC_1),
        ("el miércoles", ES, dt.date(2026, 12, 2)),
        ("sábado", ES, dt.date(2026, 11, 28)),
        ("in 3 days", EN, dt.date(2026, 11, 28)),
        ("en 3 días", ES, dt.date(2026, 11, 28)),
        ("11/20/2026", EN, dt.date(2026, 11, 20)),
        ("12/15/2027", EN, dt.date(2027, 12, 15)),
    ],
)
def test_dates_are_read_the_way_people_type_them(typed, language, meant):
    assert read_date(typed, language, TODAY) == meant


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(
    "typed",
    [
        "hello",
        "hola",
        "15",
        "2",
        "1",
        "",
        "   ",
        "?",
        "dec",
        "diciembre",
        "Dec 32",
        "Feb 30",
        "99/99",
        "x" * 1_600,
        "12/15 " + "x" * 1_600,
        "🙂",
        "<b>12/15</b>" + " " * 60,
        "YES",
        "NOT YET",
        "RECORDS",
        "DONE 1,3",
        "LISTO 2",
        "SENT",
        "MAYBE",
    ],
)
def test_replies_that_name_no_single_day_are_not_dates(typed, language):
    assert read_date(typed, language, TODAY) is None


@pytest.mark.parametrize(
    ("typed", "language"), [("Tuesday 12/15", EN), ("Tue 12/15", EN), ("martes 15", ES)]
)
def test_a_weekday_with_a_date_means_that_date_not_the_coming_weekday(typed, language):
    assert read_date(typed, language, TODAY) == DEC_15


def test_a_week_from_today_is_a_week_ahead():
    assert read_date("a week from today", EN, TODAY) == dt.date(2026, 12, 2)


@pytest.mark.parametrize("typed", ["11/25", "Nov 25", "25 de noviembre"])
def test_todays_date_typed_as_month_and_day_is_today(typed):
    assert read_date(typed, EN, TODAY) == TODAY


def test_a_date_with_no_year_means_the_next_one_to_come():
    assert read_date("1/10", EN, TODAY) == dt.date(2027, 1, 10)


def test_a_day_just_gone_with_no_year_is_read_as_past_not_next_year():
    assert read_date("11/24", EN, TODAY) == dt.date(2026, 11, 24)


# --- Through the conversation -------------------------------------------------------------


def at_date(patient: Patient, **changes):
    return enrolled(patient.language, Step.DATE, **changes)


@pytest.mark.parametrize(
    ("patient_language", "typed", "written_out"),
    [
        (EN, "12/15", "Tuesday, December 15"),
        (EN, "Dec 15", "Tuesday, December 15"),
        (EN, "15 de diciembre", "Tuesday, December 15"),
        (ES, "12/15", "martes 15 de diciembre"),
        (ES, "15 de diciembre", "martes 15 de diciembre"),
        (ES, "Dec 15", "martes 15 de diciembre"),
        (ES, "el 3 de enero", "domingo 3 de enero"),
        (EN, "next tuesday", "Tuesday, December 1"),
        (ES, "el próximo martes", "martes 1 de diciembre"),
        (ES, "mañana", "jueves 26 de noviembre"),
    ],
)
def test_the_date_is_repeated_back_written_out_in_the_persons_language(
    machine, patient_language, typed, written_out
):
    talk = chat(machine, [typed], start=enrolled(patient_language, Step.DATE))

    assert written_out in (talk.last or "")
    assert talk.conversation.step is Step.DATE_CONFIRM
    assert talk.conversation.appointment is None  # not saved before a yes


def test_the_date_is_saved_only_after_a_yes(machine, patient: Patient):
    talk = chat(machine, ["12/15", patient.yes], start=at_date(patient))

    assert talk.keys == ["confirm_date", "date_saved_ask_referral"]
    assert talk.conversation.appointment == DEC_15
    assert talk.conversation.pending_date is None
    assert talk.conversation.step is Step.REFERRAL
    assert talk.outcome.reminders.plan is not None
    assert talk.last == message("date_saved_ask_referral", patient.language, date=DEC_15)


@pytest.mark.parametrize("yes", ["yes", "Y", "ok", "yep", "correct", "si", "Sí", "claro", "vale"])
def test_any_kind_of_yes_confirms_the_date(machine, yes):
    talk = chat(machine, ["12/15", yes], start=enrolled(EN, Step.DATE))

    assert talk.conversation.appointment == DEC_15


def test_no_goes_back_to_asking_for_the_date(machine, patient: Patient):
    talk = chat(machine, ["12/15", patient.no], start=at_date(patient))

    assert talk.keys == ["confirm_date", "ask_date"]
    assert talk.conversation.step is Step.DATE
    assert talk.conversation.appointment is None
    assert talk.conversation.pending_date is None


def test_after_no_a_new_date_can_be_given_and_confirmed(machine, patient: Patient):
    talk = chat(machine, ["12/15", patient.no, "1/3", patient.yes], start=at_date(patient))

    assert talk.conversation.appointment == JAN_3


def test_typing_another_date_instead_of_yes_asks_about_that_one(machine, patient: Patient):
    talk = chat(machine, ["12/15", "1/3"], start=at_date(patient))

    assert talk.keys == ["confirm_date", "confirm_date"]
    assert talk.conversation.pending_date == JAN_3


def test_an_unclear_answer_to_the_date_check_asks_again_with_the_date(machine, patient: Patient):
    talk = chat(machine, ["12/15", "hmm"], start=at_date(patient))

    assert talk.last == message("confirm_unclear", patient.language, date=DEC_15)
    assert talk.conversation.step is Step.DATE_CONFIRM


def test_an_unclear_answer_to_the_date_check_keeps_the_date_waiting(machine, patient: Patient):
    talk = chat(machine, ["12/15", "hmm"], start=at_date(patient))

    assert talk.keys == ["confirm_date", "confirm_unclear"]
    assert talk.conversation.step is Step.DATE_CONFIRM
    assert talk.conversation.pending_date == DEC_15


def test_a_past_date_at_the_date_check_goes_back_to_asking(machine, patient: Patient):
    talk = chat(machine, ["12/15", "11/20/2026"], start=at_date(patient))

    assert talk.keys == ["confirm_date", "date_past"]
    assert talk.conversation.step is Step.DATE
    assert talk.conversation.pending_date is None


def test_an_unreadable_date_asks_again_with_an_example(machine, patient: Patient):
    talk = chat(machine, ["whenever"], start=at_date(patient))

    assert talk.keys == ["date_unclear"]
    assert {"en": "Dec 15", "es": "15 de diciembre"}[patient.language.value] in (talk.last or "")
    assert talk.conversation.step is Step.DATE


def test_spanish_examples_never_write_a_date_with_numbers_only(content):
    """12/15 reads as an impossible day-month date to many Spanish speakers."""
    for key, text in content[Language.ES].sms.items():
        assert not re.search(r"\b\d{1,2}/\d{1,2}\b", text), key


@pytest.mark.parametrize("typed", ["11/20/2026", "yesterday", "ayer"])
def test_a_date_in_the_past_gets_its_own_message(machine, patient: Patient, typed):
    talk = chat(machine, [typed], start=at_date(patient))

    assert talk.keys == ["date_past"]
    assert talk.conversation.step is Step.DATE
    assert talk.conversation.pending_date is None


@pytest.mark.parametrize("typed", ["12/15/2027", "1/5/2028", "en 100000 dias"])
def test_a_date_more_than_a_year_ahead_gets_its_own_message(machine, patient: Patient, typed):
    talk = chat(machine, [typed], start=at_date(patient))

    assert talk.keys == ["date_too_far"]
    assert talk.conversation.step is Step.DATE


def test_a_date_exactly_a_year_ahead_is_accepted(machine, patient: Patient):
    talk = chat(machine, ["11/25/2027"], start=at_date(patient))

    assert talk.keys == ["confirm_date"]


def test_today_is_not_in_the_past(machine, patient: Patient):
    talk = chat(machine, ["today"], start=at_date(patient))

    assert talk.keys == ["confirm_date"]


def test_today_is_the_persons_own_today(machine):
    # 02:00 UTC on the 26th is still the 25th in Los Angeles: "tomorrow" is the 26th there.
    late = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    start = enrolled(EN, Step.DATE, timezone="America/Los_Angeles")

    talk = chat(machine, ["tomorrow"], start=start, now=late)

    assert talk.conversation.pending_date == dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    "typed", ["NOT YET", "not yet", "Not booked", "TBD", "IDK", "TODAVÍA NO", "todavia no", "NO SÉ"]
)
def test_not_yet_defers_the_date_and_moves_on_to_the_referral(machine, typed):
    talk = chat(machine, [typed], start=enrolled(EN, Step.DATE))

    assert talk.keys == ["not_booked_ask_referral"]
    assert talk.conversation.date_deferred
    assert talk.conversation.step is Step.REFERRAL
    assert talk.outcome.reminders.plan is not None


def test_not_yet_in_spanish_is_answered_in_spanish(machine):
    talk = chat(machine, ["TODAVÍA NO"], start=enrolled(ES, Step.DATE))

    assert talk.last == message("not_booked_ask_referral", ES)


def test_not_yet_when_the_referral_is_answered_says_we_will_ask_again(machine, patient: Patient):
    start = at_date(patient, referral=Referral.NOT_NEEDED)

    talk = chat(machine, [patient.not_yet], start=start)

    assert talk.keys == ["not_booked"]
    assert talk.conversation.step is Step.READY


def test_not_yet_while_confirming_also_defers(machine, patient: Patient):
    talk = chat(machine, ["12/15", patient.not_yet], start=at_date(patient))

    assert talk.conversation.date_deferred
    assert talk.conversation.pending_date is None
    assert talk.conversation.appointment is None


@pytest.mark.parametrize("word", ["DATE", "date", "CHANGE DATE", "FECHA", "fecha", "CITA"])
def test_date_changes_the_saved_date_later(machine, word):
    start = at_ready(EN)

    talk = chat(machine, [word, "1/3", "YES"], start=start)

    assert talk.keys == ["ask_date", "confirm_date", "date_saved"]
    assert talk.conversation.appointment == JAN_3
    assert talk.conversation.step is Step.READY


def test_date_gives_a_deferred_date_later(machine, patient: Patient):
    start = at_ready(patient.language, appointment=None, date_deferred=True)

    talk = chat(machine, [patient.date, "12/15", patient.yes], start=start)

    assert talk.conversation.appointment == DEC_15
    assert not talk.conversation.date_deferred
    assert talk.last == message("date_saved", patient.language, date=DEC_15)


def test_changing_the_date_and_saying_no_keeps_the_old_one(machine, patient: Patient):
    talk = chat(machine, [patient.date, "1/3", patient.no], start=at_ready(patient.language))

    assert talk.conversation.appointment == DEC_15
    assert talk.conversation.step is Step.DATE
