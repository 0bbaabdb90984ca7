"""Which texts the flow did not understand go to a person: questions and problems do;
keywords, keywords typed wrong, numbers and bare words do not. Both languages."""

from __future__ import annotations

import pytest
from flowkit import CONTENT

from flows.conversation.dates import looks_like_a_date
from flows.conversation.keywords import Keywords
from flows.inbox.classify import distance, is_keyword_or_typo, needs_a_person

VOCABULARY = Keywords(CONTENT).vocabulary

QUESTIONS = [  # what patients wrote in the field walk, and others like them
    "mi doctor no quiere darme mis papeles",
    "Ayuda por favor, necesito hablar con alguien",
    "Hola, cambiaron mi cita",
    "¿Puede venir mi hija a la cita?",
    "¿cuánto cuesta?",
    "mi seguro dijo que no",
    "necesito ayuda",
    "my doctor won't give me my slides",
    "my insurance said no",
    "can my daughter come?",
    "what do I bring?",
    "I need help",
    "talk to a person please",
    "thanks, the visit went great",
]
NOT_FOR_A_PERSON = {
    "keywords": ["RECORDS", "menu", "Help", "AYUDA", "todavía no", "NOT YET", "listo"],
    "keywords with punctuation": ["menu?", "HELP!!", "¿ayuda?", "records??", "Not yet..."],
    "typos of keywords": ["RECRODS", "recods", "not yte", "todabia no", "PHRASSES", "expedinte"],
    "a word or two": ["gracias!", "thanks", "ok cool", "purple", "asdfgh", "hmm ok"],
    "commands typed loosely": ["listo 2 y 3", "done 1 and 3", "LISTO 1,2", "DONE 5"],
    "numbers and symbols": [
        "3",
        "12/15",
        "🙂",
        "",
        "   ",
        "x" * 1_600,
        "<script>alert(1)</script>",
    ],
    "a question mark and one word": ["what?", "¿qué?", "huh?"],
}


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_and_problems_go_to_a_person(text: str) -> None:
    assert needs_a_person(text, VOCABULARY)


@pytest.mark.parametrize(
    "text",
    [t for texts in NOT_FOR_A_PERSON.values() for t in texts],
    ids=lambda t: repr(t[:24]),
)
def test_keywords_typos_and_fragments_do_not(text: str) -> None:
    assert not needs_a_person(text, VOCABULARY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RECORDS", True),  # a keyword
        ("recrods", True),  # one swap away from RECORDS
        ("EXPEDINTE", True),  # one letter away from EXPEDIENTE
        ("todabia no", True),  # one letter away from TODAVIA NO
        ("NOS", False),  # short words must match exactly: NOS is not NO
        ("mi doctor no quiere", False),
    ],
)
def test_typos_are_within_a_letter_or_two_of_a_keyword(text: str, expected: bool) -> None:
    assert is_keyword_or_typo(text, VOCABULARY) is expected


def test_the_distance_counts_a_swap_of_neighbours_as_one_edit() -> None:
    assert distance("NOTYTE", "NOTYET", 2) == 1
    assert distance("KITTEN", "SITTING", 5) == 3
    assert distance("ABCDEF", "UVWXYZ", 2) == 3  # past the limit: the limit plus one


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next tuesday at 3pm", True),
        ("el martes que viene a las 3", True),
        ("15 de dicembre por la tarde", True),
        ("12 / 20 in the morning", True),
        ("my doctor won't give me my slides", False),
    ],
)
def test_a_date_we_could_not_read_still_looks_like_a_date(text: str, expected: bool) -> None:
    assert looks_like_a_date(text) is expected
