"""Who runs the program, per language: the sandbox's stand-ins, the limits, and what a real
program must have before it texts anyone (carriers check the HELP text for a real contact)."""

from __future__ import annotations

import re
from types import MappingProxyType

from flows.content.render import Program, Sponsor
from flows.language import Language

MAX_NAME, MAX_ORG, MAX_CONTACT = 36, 60, 44  # the HELP text's segment budget holds up to these

# Stand-ins that let the sandbox run with nothing configured. They are not a contact a
# patient can use, so a program with a real Twilio account refuses to start with them.
STAND_INS = MappingProxyType(
    {
        Language.EN: Sponsor(
            "Second Opinion Prep",
            "your patient navigation team",
            "the number on your clinic's website",
        ),
        Language.ES: Sponsor(
            "Su Segunda Opinión",
            "su equipo de navegación de pacientes",
            "número del sitio web de su clínica",
        ),
    }
)
STAND_IN_PROGRAM = Program(STAND_INS)

# Realistic long values, padded to the limits: every text must fit its budget with these.
LONGEST = Program(
    MappingProxyType(
        {
            Language.EN: Sponsor(
                "Second Opinion Prep by Mercy Health".ljust(MAX_NAME),
                "Patient Navigation, St. Mary's Regional Medical Center".ljust(MAX_ORG),
                "(212) 555-0199, Mon-Fri 9 am to 5 pm".ljust(MAX_CONTACT),
            ),
            Language.ES: Sponsor(
                "Su Segunda Opinión con Mercy Health".ljust(MAX_NAME),
                "Navegación de Pacientes, Centro Médico San Marcos".ljust(MAX_ORG),
                "(212) 555-0199, de lunes a viernes de 9 a 5".ljust(MAX_CONTACT),
            ),
        }
    ),
    phone="(212) 555-0100",
)

_PLACEHOLDER = re.compile(
    r"\byour (clinic|team|hospital|organi[sz]ation)\b|\bsu (clínica|clinica|equipo)\b"
    r"|\bexample\b|\bejemplo\b|\bTODO\b|\bXXX|\bTBD\b|[<>\[\]{}]",
    re.IGNORECASE,
)
_REACHABLE = re.compile(r"(\d\D{0,3}){10}|@|https?://|www\.|\.(org|com|net|gov|edu)\b", re.I)


def _limits(language: Language, sponsor: Sponsor) -> list[str]:
    limits = {"name": (sponsor.name, MAX_NAME), "org": (sponsor.org, MAX_ORG)}
    limits["contact"] = (sponsor.contact, MAX_CONTACT)
    return [
        f"{language}: program {field} is {len(value)} characters, at most {limit}"
        for field, (value, limit) in limits.items()
        if len(value) > limit
    ]


def length_problems(program: Program) -> list[str]:
    """Values too long for the texts' segment budgets."""
    return [p for lang, sponsor in program.sponsors.items() for p in _limits(lang, sponsor)]


def placeholder_problems(program: Program) -> list[str]:
    """Why this program could not text real patients: a stand-in, or no way to reach anyone."""
    problems: list[str] = []
    for language in Language:
        sponsor = program.sponsor(language)
        stand_in = STAND_INS[language]
        for field in ("name", "org", "contact"):
            value = getattr(sponsor, field)
            if not value.strip():
                problems.append(f"{language}: program {field} is empty")
            elif field != "name" and value == getattr(stand_in, field):
                problems.append(f"{language}: program {field} is the sandbox's stand-in {value!r}")
            elif _PLACEHOLDER.search(value):
                problems.append(f"{language}: program {field} {value!r} looks like a placeholder")
        if not _REACHABLE.search(sponsor.contact):
            problems.append(
                f"{language}: program contact {sponsor.contact!r} has no phone number, "
                "email or web address"
            )
    return problems
