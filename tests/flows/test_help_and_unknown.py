"""HELP always answers with who runs the program; anything else always gets some reply."""

import datetime as dt

import pytest
from flowkit import Patient, chat, enrolled, message, opted_out

from flows import Conversation, Language, Program, Referral, Status, Step

DEC_15 = dt.date(2026, 12, 15)
HELP_WORDS = {
    Language.EN: ["HELP", "help", "Help!", "INFO", "info"],
    Language.ES: ["AYUDA", "ayuda", "Ayuda."],
}

# Where someone may be when they text: before joining, at each step, and after STOP.
EVERYWHERE = {
    "never joined": lambda language: Conversation(language=language),
    "language question": lambda language: enrolled(language, Step.LANGUAGE),
    "date question": lambda language: enrolled(language, Step.DATE),
    "date check": lambda language: enrolled(language, Step.DATE_CONFIRM, pending_date=DEC_15),
    "referral question": lambda language: enrolled(language, Step.REFERRAL, appointment=DEC_15),
    "menu": lambda language: enrolled(
        language, Step.READY, appointment=DEC_15, referral=Referral.NOT_NEEDED
    ),
    "not sure of referral": lambda language: enrolled(
        language, Step.READY, appointment=DEC_15, referral=Referral.UNSURE
    ),
    "completed": lambda language: enrolled(language, Step.READY, status=Status.COMPLETED),
    "after STOP": lambda language: opted_out(language),
}
ENROLLED = [where for where in EVERYWHERE if where not in ("never joined", "after STOP")]


def assert_names_who_runs_it(reply: str | None, program: Program, language: Language) -> None:
    assert reply is not None
    sponsor = program.sponsor(language)
    assert sponsor.name in reply
    assert sponsor.org in reply
    assert sponsor.contact in reply


@pytest.mark.parametrize("where", list(EVERYWHERE))
def test_help_names_the_program_org_and_contact_everywhere(
    machine, program, patient: Patient, where
):
    start = EVERYWHERE[where](patient.language)

    for word in HELP_WORDS[patient.language]:
        talk = chat(machine, [word], start=start)

        assert talk.keys == ["help"], word
        assert_names_who_runs_it(talk.last, program, patient.language)
        assert talk.conversation == start, "HELP changes nothing"
        assert talk.outcome.consent is None


@pytest.mark.parametrize("where", ENROLLED)
def test_help_answers_enrolled_people_in_their_own_language(machine, patient: Patient, where):
    start = EVERYWHERE[where](patient.language)

    talk = chat(machine, ["HELP"], start=start)

    assert talk.last == message("help", patient.language)


@pytest.mark.parametrize("where", ["never joined", "after STOP"])
def test_help_before_joining_or_after_stop_answers_in_the_words_language(machine, where):
    start = EVERYWHERE[where](Language.EN)

    assert chat(machine, ["AYUDA"], start=start).last == message("help", Language.ES)
    assert chat(machine, ["HELP"], start=start).last == message("help", Language.EN)


def test_help_says_how_to_stop(machine, patient: Patient):
    reply = chat(machine, [patient.help], start=enrolled(patient.language)).last or ""

    assert "STOP" in reply
    assert patient.rates in reply


UNKNOWN_TEXTS = [
    "what?",
    "asdfgh",
    "🙂",
    "",
    "   ",
    "3",
    "START",
    "<script>alert(1)</script>",
    "'; DROP TABLE conversations; --",
    "x" * 1_600,
    "\x00\x07\x1b",
]


@pytest.mark.parametrize("where", ENROLLED)
@pytest.mark.parametrize("typed", UNKNOWN_TEXTS, ids=lambda t: repr(t[:20]))
def test_an_enrolled_person_always_gets_a_reply(machine, patient: Patient, where, typed):
    start = EVERYWHERE[where](patient.language)

    talk = chat(machine, [typed], start=start)

    assert talk.last, f"no reply at {where!r} to {typed!r}"
    assert talk.outcome.reply is not None
    assert talk.outcome.reply.language is patient.language
    assert talk.conversation.status is start.status


@pytest.mark.parametrize(
    ("step", "key", "after"),
    [
        (Step.LANGUAGE, "ask_date", Step.DATE),  # the keyword chose the language: go on
        (Step.DATE, "date_unclear", Step.DATE),
        (Step.REFERRAL, "referral_unclear", Step.REFERRAL),
        (Step.READY, "unknown", Step.READY),
    ],
)
def test_an_unknown_reply_repeats_what_we_are_waiting_for(
    machine, patient: Patient, step, key, after
):
    talk = chat(machine, ["purple"], start=enrolled(patient.language, step))

    assert talk.keys == [key]
    assert talk.conversation.step is after


def test_the_menu_lists_what_can_be_done(machine, patient: Patient):
    start = EVERYWHERE["menu"](patient.language)

    reply = chat(machine, [patient.menu], start=start).last or ""

    for word in (patient.records, patient.phrases, patient.date, patient.help):
        assert word in reply
