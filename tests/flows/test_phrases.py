"""Suggested words for asking the doctor for a second opinion, one at a time."""

import pytest
from flowkit import Patient, at_ready, chat, enrolled

from flows import Step


def phrase_replies(machine, patient: Patient, times: int) -> list[str]:
    talk = chat(machine, [patient.phrases] * times, start=at_ready(patient.language))
    assert talk.keys == ["phrase"] * times
    return [reply or "" for reply in talk.replies]


def test_phrases_gives_a_different_phrasing_each_time(machine, patient: Patient):
    first_four = phrase_replies(machine, patient, 4)

    assert len(set(first_four)) == 4


def test_every_phrasing_in_the_catalogue_is_shown_before_any_repeats(
    machine, content, patient: Patient
):
    phrasings = content[patient.language].phrases
    replies = phrase_replies(machine, patient, len(phrasings))

    assert len(phrasings) >= 4
    for phrasing, reply in zip(phrasings, replies, strict=True):
        assert phrasing in reply


def test_phrases_wrap_around_to_the_first_after_the_last(machine, content, patient: Patient):
    count = len(content[patient.language].phrases)

    replies = phrase_replies(machine, patient, 2 * count + 1)

    assert replies[count] == replies[0]
    assert replies[2 * count] == replies[0]
    assert replies[count + 1] == replies[1]


def test_each_phrasing_says_how_to_get_another(machine, patient: Patient):
    for reply in phrase_replies(machine, patient, 5):
        assert patient.phrases in reply


@pytest.mark.parametrize(
    "word", ["PHRASES", "phrase", "Words", "ask", "FRASES", "frase", "preguntar"]
)
def test_every_phrases_word_works(machine, word):
    talk = chat(machine, [word], start=at_ready())

    assert talk.keys == ["phrase"]


def test_the_place_in_the_phrasings_is_kept_across_a_language_switch(machine):
    talk = chat(machine, ["PHRASES", "PHRASES", "ES", "FRASES"], start=at_ready())

    assert talk.outcomes[-1].reply is not None
    assert talk.outcomes[-1].reply.phrase == 2


@pytest.mark.parametrize(
    ("step", "after"),
    [(Step.LANGUAGE, Step.DATE), (Step.DATE, Step.DATE), (Step.REFERRAL, Step.REFERRAL)],
)
def test_phrases_work_before_setup_is_finished(machine, patient: Patient, step, after):
    talk = chat(machine, [patient.phrases], start=enrolled(patient.language, step))

    assert talk.keys == ["phrase"]
    assert talk.conversation.step is after  # at the language question, it goes on


def test_a_phrasing_never_mentions_a_diagnosis(machine, patient: Patient):
    # A lost phone must reveal nothing private.
    for reply in phrase_replies(machine, patient, 5):
        lowered = reply.lower()
        assert "cancer" not in lowered
        assert "cáncer" not in lowered
