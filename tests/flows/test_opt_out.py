"""STOP ends everything at once, with one confirmation; START (or the keyword) brings them back."""

import datetime as dt
import re

import pytest
from flowkit import (
    CONTENT,
    PROGRAM,
    Patient,
    at_ready,
    chat,
    consent_kind,
    enrolled,
    message,
    opted_out,
)

from flows import ConsentKind, Conversation, Language, Referral, Status, Step

DEC_15 = dt.date(2026, 12, 15)

STOP_WORDS = [
    "STOP",
    "STOPALL",
    "STOP ALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "OPT OUT",
    "PARAR",
    "DETENER",
    "CANCELAR",
    "ALTO",
    "BASTA",
]
STOP_SPELLINGS = ["stop", "Stop.", " STOP ", "STOP!!", "Stop 🛑", "unsubscribe", "cancel", "basta!"]
STOP_SENTENCES = [
    "please stop texting me",
    "Stop texting me",
    "no more texts",
    "remove me from this list",
    "no más mensajes",
    "No mas mensajes",
    "no me manden mensajes",
    "No me escriban más",
    "dejen de escribirme",
]
EVERY_STOP = STOP_WORDS + STOP_SPELLINGS + STOP_SENTENCES

STEPS = {
    Step.LANGUAGE: {},
    Step.DATE: {},
    Step.DATE_CONFIRM: {"pending_date": DEC_15},
    Step.REFERRAL: {"appointment": DEC_15},
    Step.READY: {"appointment": DEC_15, "referral": Referral.NEEDED},
}


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("typed", EVERY_STOP)
def test_every_stop_word_ends_the_program_with_one_confirmation(
    machine, patient: Patient, step, typed
):
    start = enrolled(patient.language, step, **STEPS[step])

    talk = chat(machine, [typed], start=start)

    assert talk.conversation.status is Status.OPTED_OUT
    assert not talk.conversation.can_receive
    assert consent_kind(talk.outcome) is ConsentKind.OPT_OUT
    assert talk.outcome.reminders.plan is not None  # the reminders must be cancelled
    assert talk.last == message("opted_out", patient.language)


def test_the_confirmation_names_the_program_and_how_to_come_back(machine, patient: Patient):
    reply = chat(machine, ["STOP"], start=at_ready(patient.language)).last or ""

    assert PROGRAM.sponsor(patient.language).name in reply
    assert "START" in reply  # the word that also lifts a carrier's own block


def test_a_spanish_speaker_texting_stop_is_answered_in_spanish(machine):
    assert chat(machine, ["STOP"], start=at_ready(Language.ES)).last == message(
        "opted_out", Language.ES
    )


def test_stop_from_a_number_that_never_joined_is_confirmed_once(machine):
    talk = chat(machine, ["STOP", "STOP", "hello"])

    assert talk.keys == ["opted_out", None, None]
    assert consent_kind(talk.outcomes[0]) is ConsentKind.OPT_OUT
    assert talk.conversation.status is Status.OPTED_OUT


def test_a_spanish_stop_word_from_a_number_that_never_joined_is_confirmed_in_spanish(machine):
    talk = chat(machine, ["PARAR"])

    assert talk.last == message("opted_out", Language.ES)


def test_a_spanish_stop_sentence_from_a_number_that_never_joined_is_confirmed_in_spanish(
    machine,
):
    talk = chat(machine, ["no más mensajes"])

    assert talk.conversation.status is Status.OPTED_OUT
    assert talk.last == message("opted_out", Language.ES)


@pytest.mark.parametrize("typed", ["don't text me", "Please don\u2019t message me again"])
def test_dont_text_me_with_an_apostrophe_is_a_stop(machine, typed):
    talk = chat(machine, [typed], start=at_ready())

    assert talk.conversation.status is Status.OPTED_OUT


def test_dont_text_me_without_an_apostrophe_is_a_stop(machine):
    assert chat(machine, ["dont text me"], start=at_ready()).conversation.status is (
        Status.OPTED_OUT
    )


@pytest.mark.parametrize("typed", ["no quiero más mensajes", "ya no quiero mensajes"])
def test_no_quiero_mas_mensajes_is_a_stop(machine, typed):
    talk = chat(machine, [typed], start=at_ready(Language.ES))

    assert talk.conversation.status is Status.OPTED_OUT


SILENT_AFTER_STOP = [
    "STOP",
    "PARAR",
    "please stop",
    "hello",
    "12/15",
    "NO",
    "RECORDS",
    "DONE 1",
    "PHRASES",
    "MENU",
    "ES",
    "1",
    "NOT YET",
    "",
    "🙂",
    "x" * 1_600,
]


@pytest.mark.parametrize("typed", SILENT_AFTER_STOP, ids=lambda t: repr(t[:20]))
def test_after_stop_nothing_else_gets_a_reply(machine, patient: Patient, typed):
    start = opted_out(patient.language)

    talk = chat(machine, [typed], start=start)

    assert talk.outcome.reply is None
    assert talk.outcome.consent is None
    assert talk.conversation == start


def test_stop_is_confirmed_once_then_silence(machine, patient: Patient):
    talk = chat(machine, ["STOP", "STOP", "why?", "PARAR"], start=at_ready(patient.language))

    assert talk.keys == ["opted_out", None, None, None]
    assert [consent_kind(o) for o in talk.outcomes] == [ConsentKind.OPT_OUT, None, None, None]


@pytest.mark.parametrize("word", ["HELP", "INFO", "AYUDA"])
def test_help_still_answers_after_stop_without_rejoining(machine, patient: Patient, word):
    talk = chat(machine, [word], start=opted_out(patient.language))

    assert talk.keys == ["help"]
    assert talk.conversation.status is Status.OPTED_OUT
    assert talk.outcome.consent is None


@pytest.mark.parametrize("word", ["START", "start", "UNSTOP", "YES", "yes", "COMENZAR", "SI", "sí"])
def test_start_unstop_or_yes_brings_them_back(machine, patient: Patient, word):
    start = opted_out(patient.language)

    talk = chat(machine, [word], start=start)

    assert talk.conversation.status is Status.ACTIVE
    assert talk.conversation.can_receive
    assert consent_kind(talk.outcome) is ConsentKind.OPT_IN
    assert talk.outcome.reminders.plan is not None
    assert talk.last == message("welcome_back", patient.language)
    assert talk.conversation.appointment == start.appointment  # nothing they told us is lost


def test_welcome_back_repeats_rates_help_and_stop(machine, patient: Patient):
    reply = chat(machine, ["START"], start=opted_out(patient.language)).last or ""

    assert PROGRAM.sponsor(patient.language).name in reply
    assert patient.rates in reply
    assert patient.help in reply
    assert "STOP" in reply


@pytest.mark.parametrize("keyword", ["SECOND", "SEGUNDA", "segunda"])
def test_the_enrolment_keyword_re_enrols(machine, keyword):
    talk = chat(machine, [keyword], start=opted_out(Language.EN))

    assert talk.conversation.status is Status.ACTIVE
    assert consent_kind(talk.outcome) is ConsentKind.OPT_IN
    assert talk.keys == ["consent"]
    expected = Language.ES if keyword.upper() == "SEGUNDA" else Language.EN
    assert talk.conversation.language is expected


def test_start_from_a_number_that_never_joined_does_not_enrol(machine):
    talk = chat(machine, ["START"])

    assert talk.conversation.status is Status.NEW
    assert talk.outcome.consent is None
    assert talk.keys == ["not_enrolled"]


def test_stop_then_start_then_the_conversation_carries_on(machine, patient: Patient):
    talk = chat(
        machine, ["STOP", "hello", "START", patient.records], start=at_ready(patient.language)
    )

    assert talk.keys == ["opted_out", None, "welcome_back", "records"]


def test_opt_out_from_a_fresh_conversation_is_remembered_as_opted_out(machine):
    talk = chat(machine, ["STOP"], start=Conversation())

    assert not talk.conversation.can_receive


CATALOGUE_TEXTS = [
    pytest.param(text, id=f"{language.value}-{key}")
    for language, catalogue in CONTENT.catalogues.items()
    for key, text in catalogue.sms.items()
]


@pytest.mark.parametrize("text", CATALOGUE_TEXTS)
def test_no_message_asks_the_person_to_reply_cancel(text):
    # Carriers treat CANCEL as a stop word: asking for it would end the program by surprise.
    assert not re.search(r"\bCANCEL", text, flags=re.IGNORECASE)
    for stop_word in ("END", "QUIT", "CANCELAR"):
        assert not re.search(rf"\b(?:reply|responda)\b[^.]*\b{stop_word}\b", text)


@pytest.mark.parametrize("text", CATALOGUE_TEXTS)
def test_no_message_asks_for_a_reply_that_would_stop_the_program(machine, text):
    # Every word in capitals a message asks for must not itself be read as a stop.
    asked_for = re.findall(r"\b[A-ZÁÉÍÓÚÑ]{2,}(?: [A-ZÁÉÍÓÚÑ]{2,})*\b", text)
    for word in asked_for:
        if word == "STOP":
            continue
        reading = machine.keywords.read(word)
        assert not reading.says_stop, word


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Please stop texting me about my cancer", "(a sentence meaning STOP)"),
        ("no me manden mas mensajes sobre mi biopsia", "(a sentence meaning STOP)"),
        ("stop!!", "STOP"),
        ("opt-out", "OPTOUT"),  # the first spelling of that keyword in the catalogue
    ],
)
def test_the_ledger_keeps_the_keyword_of_a_stop_never_the_persons_own_words(
    machine, typed: str, kept: str
):
    said = chat(machine, [typed], start=at_ready()).outcome.consent

    assert said is not None and said.words == kept


@pytest.mark.parametrize(("typed", "kept"), [("segunda", "SEGUNDA"), ("  Second. ", "SECOND")])
def test_the_ledger_keeps_the_join_keyword_as_the_catalogue_spells_it(
    machine, typed: str, kept: str
):
    said = chat(machine, [typed]).outcome.consent

    assert said is not None and said.words == kept
