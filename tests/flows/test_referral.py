"""Does the insurance plan need the doctor to ask for the second opinion (a referral)?"""

import datetime as dt

import pytest
from flowkit import Patient, at_ready, chat, enrolled, message

from flows import Language, Referral, Step

EN, ES = Language.EN, Language.ES
DEC_15 = dt.date(2026, 12, 15)

YES_WORDS = ["YES", "yes", "Y", "yeah", "ok", "SI", "SÍ", "sí", "Si.", "claro"]
NO_WORDS = ["NO", "no", "No.", "N", "nope", "no gracias", "negativo"]
UNSURE_WORDS = [
    "NOT SURE",
    "not sure",
    "Unsure",
    "I don't know",
    "idk",
    "maybe",
    "NO SE",
    "NO SÉ",
    "no sé",
    "No estoy segura",
    "tal vez",
    "ni idea",
]


def asked(patient: Patient):
    """Someone who saved their visit date and is being asked about a referral."""
    return enrolled(patient.language, Step.REFERRAL, appointment=DEC_15)


@pytest.mark.parametrize(
    ("answers", "referral", "key"),
    [
        (YES_WORDS, Referral.NEEDED, "referral_yes"),
        (NO_WORDS, Referral.NOT_NEEDED, "referral_no"),
        (UNSURE_WORDS, Referral.UNSURE, "referral_unsure"),
    ],
    ids=["yes", "no", "not-sure"],
)
def test_every_way_of_answering_is_understood(machine, patient: Patient, answers, referral, key):
    for answer in answers:
        talk = chat(machine, [answer], start=asked(patient))

        assert talk.conversation.referral is referral, answer
        assert talk.keys == [key], answer
        assert talk.conversation.step is Step.READY, answer
        assert talk.outcome.reminders.plan is not None, answer


@pytest.mark.parametrize(
    ("answer", "key"),
    [("yes", "referral_yes"), ("no", "referral_no"), ("unsure", "referral_unsure")],
)
def test_the_answer_is_replied_to_in_the_persons_language(machine, patient: Patient, answer, key):
    talk = chat(machine, [getattr(patient, answer)], start=asked(patient))

    assert talk.last == message(key, patient.language)


def test_a_referral_is_needed_gives_words_for_the_doctors_office(machine, patient: Patient):
    reply = chat(machine, [patient.yes], start=asked(patient)).last or ""

    assert ("referral for a second opinion" in reply) or ("referido para una segunda" in reply)
    assert patient.sent in reply  # how to tell us it was sent


def test_not_sure_says_to_call_the_number_on_the_insurance_card(machine, patient: Patient):
    reply = chat(machine, [patient.unsure], start=asked(patient)).last or ""

    assert ("insurance card" in reply) or ("tarjeta del seguro" in reply)


def test_no_referral_needed_points_to_the_records(machine, patient: Patient):
    reply = chat(machine, [patient.no], start=asked(patient)).last or ""

    assert patient.records in reply


@pytest.mark.parametrize("sent", ["SENT", "sent", "Referral sent", "They sent it", "ENVIADO"])
def test_sent_confirms_the_referral_is_on_its_way(machine, sent):
    start = at_ready(EN, referral=Referral.NEEDED)

    talk = chat(machine, [sent], start=start)

    assert talk.conversation.referral is Referral.SENT
    assert talk.keys == ["referral_sent"]
    assert talk.outcome.reminders.plan is not None


@pytest.mark.parametrize("sent", ["ENVIADO", "enviada", "Ya lo enviaron", "ya se envió"])
def test_enviado_confirms_the_referral_in_spanish(machine, sent):
    talk = chat(machine, [sent], start=at_ready(ES, referral=Referral.NEEDED))

    assert talk.conversation.referral is Referral.SENT
    assert talk.last == message("referral_sent", ES)


def test_yes_then_sent_is_the_whole_referral_story(machine, patient: Patient):
    talk = chat(machine, [patient.yes, patient.sent], start=asked(patient))

    assert talk.keys == ["referral_yes", "referral_sent"]
    assert talk.conversation.referral is Referral.SENT


@pytest.mark.parametrize(
    ("answer", "referral", "key"),
    [
        ("yes", Referral.NEEDED, "referral_yes"),
        ("no", Referral.NOT_NEEDED, "referral_no"),
        ("unsure", Referral.UNSURE, "referral_unsure"),
    ],
)
def test_someone_who_was_not_sure_can_answer_later_from_the_menu(
    machine, patient: Patient, answer, referral, key
):
    talk = chat(machine, [patient.unsure, getattr(patient, answer)], start=asked(patient))

    assert talk.keys == ["referral_unsure", key]
    assert talk.conversation.referral is referral
    assert talk.conversation.step is Step.READY


def test_someone_who_was_not_sure_and_finds_out_weeks_later(machine, patient: Patient):
    start = at_ready(patient.language, referral=Referral.UNSURE)

    talk = chat(machine, [patient.records, patient.phrases, patient.yes], start=start)

    assert talk.keys == ["records", "phrase", "referral_yes"]
    assert talk.conversation.referral is Referral.NEEDED


def test_yes_at_the_menu_means_nothing_once_the_referral_is_settled(machine, patient: Patient):
    talk = chat(machine, [patient.yes], start=at_ready(patient.language))

    assert talk.conversation.referral is Referral.NOT_NEEDED
    assert talk.keys == ["unknown"]


def test_an_unclear_answer_asks_the_referral_question_again(machine, patient: Patient):
    talk = chat(machine, ["hmm ok"], start=asked(patient))

    assert talk.keys == ["referral_unclear"]
    assert talk.conversation.step is Step.REFERRAL
    assert talk.conversation.referral is Referral.UNKNOWN


def test_a_question_instead_goes_to_a_person_and_the_question_follows(machine, patient: Patient):
    talk = chat(machine, ["which insurance?"], start=asked(patient))

    assert talk.keys == ["case_today"]
    assert talk.outcome.then is not None and talk.outcome.then.key == "ask_referral"
    assert talk.conversation.step is Step.REFERRAL


@pytest.mark.parametrize(
    "word", ["REFERRAL", "insurance", "REFERIDO", "referencia", "REMISIÓN", "aseguranza"]
)
def test_referral_asks_the_question_again_later(machine, word):
    talk = chat(machine, [word, "no"], start=at_ready(EN, referral=Referral.NEEDED))

    assert talk.keys == ["ask_referral", "referral_no"]
    assert talk.conversation.referral is Referral.NOT_NEEDED


def test_the_referral_question_follows_the_date(machine, patient: Patient):
    talk = chat(machine, [patient.keyword, "1", "12/15", "yes", "no"])

    assert talk.keys == [
        "consent",
        "ask_date",
        "confirm_date",
        "date_saved_ask_referral",
        "referral_no",
    ]
    assert talk.conversation.step is Step.READY
