"""Choosing a language at the start, and switching at any time later."""

import datetime as dt

import pytest
from flowkit import Patient, at_ready, chat, enrolled, message

from flows import Conversation, Language, Referral, Step

DEC_15 = dt.date(2026, 12, 15)

TO_ENGLISH = ["EN", "en", "ENGLISH", "English", "INGLES", "INGLÉS", "inglés"]
TO_SPANISH = ["ES", "es", "ESPAÑOL", "Español", "ESPANOL", "espanol", "SPANISH"]

# One conversation at each step, as a person would have reached it.
AT_EACH_STEP = {
    Step.LANGUAGE: {},
    Step.DATE: {},
    Step.DATE_CONFIRM: {"pending_date": DEC_15},
    Step.REFERRAL: {"appointment": DEC_15},
    Step.READY: {"appointment": DEC_15, "referral": Referral.NOT_NEEDED},
}
LATER_STEPS = [step for step in AT_EACH_STEP if step is not Step.LANGUAGE]


def somewhere(step: Step, language: Language) -> Conversation:
    return enrolled(language, step, **AT_EACH_STEP[step])


@pytest.mark.parametrize(
    ("answer", "language"), [("1", Language.EN), ("2", Language.ES), (" 2 ", Language.ES)]
)
def test_one_or_two_at_the_language_question_chooses(machine, patient: Patient, answer, language):
    talk = chat(machine, [patient.keyword, answer])

    assert talk.conversation.language is language
    assert talk.conversation.step is Step.DATE
    assert talk.last == message("ask_date", language)


def test_after_choosing_spanish_the_date_question_is_in_spanish(machine):
    talk = chat(machine, ["SECOND", "2"])

    assert "¿Cuándo es su cita de segunda opinión?" in (talk.last or "")


@pytest.mark.parametrize("typed", TO_ENGLISH)
def test_english_words_choose_english_at_the_language_question(machine, typed):
    talk = chat(machine, ["SEGUNDA", typed])

    assert talk.conversation.language is Language.EN
    assert talk.conversation.step is Step.DATE
    assert talk.last == message("ask_date", Language.EN)


@pytest.mark.parametrize("typed", TO_SPANISH)
def test_spanish_words_choose_spanish_at_the_language_question(machine, typed):
    talk = chat(machine, ["SECOND", typed])

    assert talk.conversation.language is Language.ES
    assert talk.conversation.step is Step.DATE
    assert talk.last == message("ask_date", Language.ES)


@pytest.mark.parametrize("step", LATER_STEPS)
@pytest.mark.parametrize("typed", TO_SPANISH)
def test_switching_to_spanish_later_keeps_the_step_and_repeats_its_question(machine, step, typed):
    talk = chat(machine, [typed], start=somewhere(step, Language.EN))

    assert talk.conversation.language is Language.ES
    assert talk.conversation.step is step
    assert talk.outcome.reply is not None
    assert talk.outcome.reply.language is Language.ES


@pytest.mark.parametrize("step", LATER_STEPS)
@pytest.mark.parametrize("typed", TO_ENGLISH)
def test_switching_to_english_later_keeps_the_step_and_repeats_its_question(machine, step, typed):
    talk = chat(machine, [typed], start=somewhere(step, Language.ES))

    assert talk.conversation.language is Language.EN
    assert talk.conversation.step is step
    assert talk.outcome.reply is not None
    assert talk.outcome.reply.language is Language.EN


@pytest.mark.parametrize(
    ("step", "question"),
    [
        (Step.DATE, "ask_date"),
        (Step.DATE_CONFIRM, "confirm_unclear"),
        (Step.REFERRAL, "ask_referral"),
        (Step.READY, "menu"),
    ],
)
def test_a_switch_repeats_the_pending_question_in_the_new_language(machine, step, question):
    talk = chat(machine, ["ESPAÑOL"], start=somewhere(step, Language.EN))

    assert talk.last == message(question, Language.ES, date=DEC_15)


def test_a_switch_while_confirming_a_date_repeats_the_date_in_the_new_language(machine):
    talk = chat(machine, ["ES"], start=somewhere(Step.DATE_CONFIRM, Language.EN))

    assert "martes 15 de diciembre" in (talk.last or "")
    assert talk.conversation.pending_date == DEC_15


@pytest.mark.parametrize("step", list(AT_EACH_STEP))
@pytest.mark.parametrize("typed", ["LANGUAGE", "language", "IDIOMA", "Idioma", "LENGUAJE"])
def test_asking_for_the_language_asks_the_question_again(machine, patient: Patient, step, typed):
    talk = chat(machine, [typed], start=somewhere(step, patient.language))

    assert talk.conversation.step is Step.LANGUAGE
    assert talk.conversation.language is patient.language  # nothing changes until they choose
    assert talk.last == message("language_question", patient.language)


def test_the_language_question_is_readable_in_both_languages(machine, patient: Patient):
    question = chat(machine, ["IDIOMA"], start=at_ready(patient.language)).last or ""

    assert "1 for English" in question or "English, reply 1" in question
    assert "Para seguir en español, responda 2" in question


@pytest.mark.parametrize(
    ("answered", "next_key", "next_step"),
    [
        ({}, "ask_date", Step.DATE),
        ({"appointment": DEC_15}, "ask_referral", Step.REFERRAL),
        ({"date_deferred": True}, "ask_referral", Step.REFERRAL),
        ({"appointment": DEC_15, "referral": Referral.UNSURE}, "menu", Step.READY),
        ({"date_deferred": True, "referral": Referral.NEEDED}, "menu", Step.READY),
    ],
)
def test_after_choosing_the_next_unanswered_question_is_asked(
    machine, patient: Patient, answered, next_key, next_step
):
    start = enrolled(patient.language, Step.LANGUAGE, **answered)

    talk = chat(machine, ["2"], start=start)

    assert talk.conversation.step is next_step
    assert talk.keys == [next_key]
    assert talk.conversation.language is Language.ES


def test_changing_language_at_the_end_and_choosing_returns_to_the_menu(machine, patient: Patient):
    talk = chat(machine, ["LANGUAGE", "1"], start=at_ready(patient.language))

    assert talk.keys == ["language_question", "menu"]
    assert talk.conversation.step is Step.READY
    assert talk.conversation.language is Language.EN


@pytest.mark.parametrize("step", LATER_STEPS)
@pytest.mark.parametrize("typed", ["1", "2"])
def test_one_or_two_after_the_language_question_does_not_switch(
    machine, patient: Patient, step, typed
):
    talk = chat(machine, [typed], start=somewhere(step, patient.language))

    assert talk.conversation.language is patient.language


@pytest.mark.parametrize(
    ("replies", "keys", "step"),
    [
        ({"en": "Dec 15", "es": "15 de diciembre"}, ["consent", "confirm_date"], Step.DATE_CONFIRM),
        ({"en": "yes", "es": "Sí"}, ["consent", "ask_date"], Step.DATE),
        # a question goes to a person, and the date question follows it
        ({"en": "what is this?", "es": "¿qué es esto?"}, ["consent", "case_today"], Step.DATE),
        (
            {"en": "NOT YET", "es": "todavía no"},
            ["consent", "not_booked_ask_referral"],
            Step.REFERRAL,
        ),
        ({"en": "PHRASES", "es": "FRASES"}, ["consent", "phrase"], Step.DATE),
    ],
)
def test_any_other_answer_to_the_language_question_is_the_next_answer_in_the_keywords_language(
    machine, patient: Patient, replies, keys, step
):
    talk = chat(machine, [patient.keyword, replies[patient.language.value]])

    assert talk.keys == keys
    assert talk.conversation.step is step
    assert talk.conversation.language is patient.language
    assert talk.outcome.reply is not None and talk.outcome.reply.language is patient.language
