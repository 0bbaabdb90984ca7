"""Joining by texting the keyword, and what a number that never joined is told."""

import pytest
from flowkit import PROGRAM, Patient, chat, consent_kind, message

from flows import ConsentKind, Conversation, Language, Status, Step


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("SECOND", Language.EN),
        ("second", Language.EN),
        (" Second ", Language.EN),
        ("Second!", Language.EN),
        ("SEGUNDA", Language.ES),
        ("segunda", Language.ES),
        ("Ségunda", Language.ES),
        ("  SEGUNDA.", Language.ES),
        ("SECOND OPINION", Language.EN),
        ("second opinion", Language.EN),
        ("Second-opinion", Language.EN),
        ("SEGUNDA OPINIÓN", Language.ES),
        ("segunda opinion", Language.ES),
        ("Segunda Opinión.", Language.ES),
    ],
)
def test_the_keyword_enrols_in_any_case_spacing_or_accent(machine, typed, language):
    talk = chat(machine, [typed])

    assert talk.conversation.status is Status.ACTIVE
    assert talk.conversation.language is language
    assert talk.conversation.step is Step.LANGUAGE
    assert talk.keys == ["consent"]
    assert consent_kind(talk.outcome) is ConsentKind.OPT_IN


def test_consent_names_the_program_rates_help_and_stop(machine, patient: Patient):
    talk = chat(machine, [patient.keyword])

    consent = talk.last
    assert consent is not None
    assert PROGRAM.sponsor(patient.language).name in consent
    assert patient.rates in consent
    assert patient.help in consent
    assert "STOP" in consent


def test_consent_says_what_to_expect_and_how_often(machine, patient: Patient):
    consent = chat(machine, [patient.keyword]).last

    assert consent is not None
    assert "4" in consent  # up to 4 messages a week
    assert ("msgs/week" in consent) or ("mensajes por semana" in consent)


def test_consent_offers_both_languages(machine, patient: Patient):
    consent = chat(machine, [patient.keyword]).last

    assert consent is not None
    assert "English, reply 1" in consent or "Reply 1 to go on in English" in consent
    assert "Para seguir en español, responda 2" in consent


def test_the_spanish_keyword_starts_in_spanish(machine):
    talk = chat(machine, ["SEGUNDA"])

    assert talk.conversation.language is Language.ES
    assert talk.last == message("consent", Language.ES)
    assert "Le damos la bienvenida" in (talk.last or "")


def test_the_english_keyword_starts_in_english(machine):
    talk = chat(machine, ["SECOND"])

    assert talk.conversation.language is Language.EN
    assert talk.last == message("consent", Language.EN)


def test_enrolling_asks_to_plan_reminders(machine, patient: Patient):
    assert chat(machine, [patient.keyword]).outcome.reminders.plan is not None


@pytest.mark.parametrize("typed", ["hello", "hola", "YES", "1", "12/15", "", "🙂", "START"])
def test_a_number_that_never_joined_is_told_how_to_join_in_both_languages(machine, typed):
    talk = chat(machine, [typed])

    reply = talk.last or ""
    assert talk.keys == ["not_enrolled"]
    assert "SECOND" in reply
    assert "SEGUNDA" in reply
    assert talk.outcome.consent is None
    assert talk.conversation.status is Status.NEW
    assert not talk.conversation.can_receive


def test_joining_after_a_first_stray_text_works(machine, patient: Patient):
    talk = chat(machine, ["hi there", patient.keyword])

    assert talk.keys == ["not_enrolled", "consent"]
    assert talk.conversation.status is Status.ACTIVE
    assert talk.conversation.language is patient.language


def test_texting_the_keyword_again_once_enrolled_repeats_the_question(machine, patient: Patient):
    start = Conversation(status=Status.ACTIVE, step=Step.DATE, language=patient.language)

    talk = chat(machine, [patient.keyword], start=start)

    assert talk.conversation.step is Step.DATE
    assert talk.keys == ["ask_date"]
    assert talk.outcome.consent is None  # already consented: nothing new for the ledger


def test_the_other_keyword_once_enrolled_switches_language(machine):
    start = Conversation(status=Status.ACTIVE, step=Step.DATE, language=Language.EN)

    talk = chat(machine, ["SEGUNDA"], start=start)

    assert talk.conversation.language is Language.ES
    assert talk.last == message("ask_date", Language.ES)


def test_after_joining_any_other_reply_goes_on_in_the_keywords_language(machine, patient: Patient):
    talk = chat(machine, [patient.keyword, "hmm"])

    assert talk.keys == ["consent", "ask_date"]
    assert talk.conversation.step is Step.DATE
    assert talk.conversation.language is patient.language
