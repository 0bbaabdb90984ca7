"""Who runs the program, in each language: what HELP must carry, and no stand-ins for real."""

from __future__ import annotations

import pytest
from flowkit import CONTENT, PROGRAM

from flows import Language, Reply, render
from flows.content.check import check
from flows.content.program import (
    LONGEST,
    MAX_CONTACT,
    MAX_NAME,
    MAX_ORG,
    STAND_IN_PROGRAM,
    length_problems,
    placeholder_problems,
)
from flows.content.render import Program, Sponsor
from flows.content.segments import count_segments

EN, ES = Language.EN, Language.ES
# What carriers look for in a HELP answer, in each language.
HELP_CARRIES = {
    EN: ["msgs/week", "Msg & data rates may apply", "HELP", "STOP", "call "],
    ES: ["mensajes por semana", "tarifas de mensajes y datos", "AYUDA", "STOP", "llame al "],
}


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize("program", [PROGRAM, LONGEST], ids=["configured", "longest"])
def test_help_carries_everything_carriers_check_within_its_budget(language, program):
    sponsor = program.sponsor(language)

    text = render(CONTENT, program, Reply("help", language))

    for words in [sponsor.name, sponsor.org, sponsor.contact, str(program.per_week)]:
        assert words in text
    for words in HELP_CARRIES[language]:
        assert words in text
    assert count_segments(text).segments <= CONTENT[language].budget("help")


def test_the_longest_values_are_realistic_and_at_the_limits():
    for sponsor in LONGEST.sponsors.values():
        assert (len(sponsor.name), len(sponsor.org), len(sponsor.contact)) == (
            MAX_NAME,
            MAX_ORG,
            MAX_CONTACT,
        )
    assert placeholder_problems(LONGEST) == []


def test_a_spanish_help_never_carries_the_english_words():
    text = render(CONTENT, STAND_IN_PROGRAM, Reply("help", ES))
    english = STAND_IN_PROGRAM.sponsor(EN)

    for words in (english.name, english.org, english.contact, "your", "clinic's"):
        assert words not in text


def test_the_spanish_name_is_one_a_spanish_voice_can_say():
    name = STAND_IN_PROGRAM.sponsor(ES).name
    assert "Second" not in name and "Prep" not in name


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("org", "your patient navigation team", "stand-in"),
        ("contact", "the number on your clinic's website", "stand-in"),
        ("contact", "your clinic", "placeholder"),
        ("contact", "call us", "no phone number"),
        ("org", "TODO", "placeholder"),
        ("org", "<org>", "placeholder"),
        ("org", "", "empty"),
    ],
)
def test_a_real_program_refuses_stand_ins_and_contacts_nobody_can_use(field, value, problem):
    real = {"name": "Second Opinion Prep", "org": "Mercy Navigation", "contact": "(212) 555-0199"}
    words = {**real, field: value}
    program = Program({EN: Sponsor(**words), ES: Sponsor(**real)})

    problems = placeholder_problems(program)

    assert any(problem in p and p.startswith("en:") for p in problems), problems


@pytest.mark.parametrize(
    "contact", ["(212) 555-0199", "212.555.0199", "help@mercy.org", "https://mercy.org/help"]
)
def test_a_phone_number_email_or_web_address_is_a_contact(contact):
    real = Sponsor("Second Opinion Prep", "Mercy Navigation", contact)
    assert placeholder_problems(Program({EN: real, ES: real})) == []


def test_values_longer_than_the_budgets_allow_are_refused():
    program = Program.everywhere("N" * (MAX_NAME + 1), "O" * MAX_ORG, "(212) 555-0199")

    too_long = f"program name is {MAX_NAME + 1} characters, at most {MAX_NAME}"
    assert length_problems(program) == [f"en: {too_long}", f"es: {too_long}"]


def test_the_content_check_is_strict_only_when_asked():
    assert check(CONTENT, STAND_IN_PROGRAM).problems == ()
    strict = check(CONTENT, STAND_IN_PROGRAM, strict=True).problems
    assert strict and all("stand-in" in p or "no phone" in p for p in strict)
    assert check(CONTENT, PROGRAM, strict=True).problems == ()
