"""Helpers for the flows tests: texting the machine and reading what the patient sees.

Kept out of conftest.py under a name of its own so test modules can import it without
clashing with the conftest.py files of other test folders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterable

from flows import (
    ConsentKind,
    Content,
    Conversation,
    InboundText,
    Language,
    Machine,
    Outcome,
    Program,
    Referral,
    Reply,
    Status,
    Step,
    load_content,
    render,
)
from flows.content.render import Sponsor

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York, a Wednesday
TODAY = dt.date(2026, 11, 25)
PROGRAM = Program(
    {
        Language.EN: Sponsor(
            "Second Opinion Prep", "the Patient Navigation Team", "(212) 555-0199"
        ),
        Language.ES: Sponsor(
            "Su Segunda Opinión", "el Equipo de Navegación de Pacientes", "(212) 555-0199"
        ),
    },
    phone="(212) 555-0100",
)
CONTENT = load_content()


@dataclasses.dataclass(frozen=True)
class Patient:
    """What a patient types, and a few phrases we expect to read, in one language."""

    language: Language
    keyword: str
    yes: str
    no: str
    unsure: str
    not_yet: str
    records: str
    done: str
    all: str
    phrases: str
    help: str
    date: str
    sent: str
    menu: str
    language_word: str  # the name of this language, to switch to it
    rates: str  # the "message and data rates may apply" notice

    def __str__(self) -> str:
        return self.language.value


ENGLISH = Patient(
    language=Language.EN,
    keyword="SECOND",
    yes="YES",
    no="NO",
    unsure="NOT SURE",
    not_yet="NOT YET",
    records="RECORDS",
    done="DONE",
    all="ALL",
    phrases="PHRASES",
    help="HELP",
    date="DATE",
    sent="SENT",
    menu="MENU",
    language_word="ENGLISH",
    rates="Msg & data rates may apply",
)
SPANISH = Patient(
    language=Language.ES,
    keyword="SEGUNDA",
    yes="SÍ",
    no="NO",
    unsure="NO SÉ",
    not_yet="TODAVÍA NO",
    records="EXPEDIENTE",
    done="TENGO",
    all="TODO",
    phrases="FRASES",
    help="AYUDA",
    date="FECHA",
    sent="ENVIADO",
    menu="MENÚ",
    language_word="ESPAÑOL",
    rates="tarifas de mensajes y datos",
)
PATIENTS = (ENGLISH, SPANISH)


@dataclasses.dataclass(frozen=True)
class Chat:
    """What happened when a patient sent some texts: what they read, and where they ended."""

    replies: list[str | None]  # the rendered text the patient received for each text, or None
    conversation: Conversation
    outcomes: list[Outcome]

    @property
    def last(self) -> str | None:
        return self.replies[-1]

    @property
    def keys(self) -> list[str | None]:
        """Catalogue keys of the replies, for when the exact words do not matter."""
        return [o.reply.key if o.reply else None for o in self.outcomes]

    @property
    def outcome(self) -> Outcome:
        return self.outcomes[-1]


def chat(
    machine: Machine,
    texts: Iterable[str],
    start: Conversation | None = None,
    now: dt.datetime = NOW,
    program: Program = PROGRAM,
) -> Chat:
    """Send each text in turn, as the patient would, and render every reply."""
    conversation = start if start is not None else Conversation()
    replies: list[str | None] = []
    outcomes: list[Outcome] = []
    for text in texts:
        outcome = machine.step(conversation, InboundText(text), now)
        outcomes.append(outcome)
        replies.append(render(machine.content, program, outcome.reply) if outcome.reply else None)
        conversation = outcome.conversation
    return Chat(replies, conversation, outcomes)


def consent_kind(outcome: Outcome) -> ConsentKind | None:
    """What the ledger would record for this outcome: an opt-in, an opt-out, or nothing."""
    return outcome.consent.kind if outcome.consent else None


def message(key: str, language: Language, content: Content = CONTENT, **values: object) -> str:
    """The text a catalogue says for `key`, rendered the way the patient reads it."""
    return render(content, PROGRAM, Reply(key, language, **values))  # type: ignore[arg-type]


def enrolled(
    language: Language = Language.EN, step: Step = Step.LANGUAGE, **changes: object
) -> Conversation:
    """A conversation of someone who joined and is at `step`."""
    return Conversation(status=Status.ACTIVE, language=language, step=step).replace(**changes)


def at_ready(language: Language = Language.EN, **changes: object) -> Conversation:
    """Someone who answered every setup question: visit on Dec 15, no referral needed."""
    defaults: dict[str, object] = {
        "appointment": dt.date(2026, 12, 15),
        "referral": Referral.NOT_NEEDED,
    }
    return enrolled(language, Step.READY, **(defaults | changes))


def opted_out(language: Language = Language.EN, **changes: object) -> Conversation:
    return at_ready(language, **changes).replace(status=Status.OPTED_OUT)


def plain(text: str) -> str:
    """Capitals without accents, spaces or punctuation: how we expect keywords to compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return "".join(c for c in bare if "A" <= c <= "Z" or "0" <= c <= "9")


def keywords(family: str, content: Content = CONTENT) -> frozenset[str]:
    """Every keyword of a family, from every catalogue, compared the plain way."""
    return frozenset(
        plain(word)
        for catalogue in content.catalogues.values()
        for word in catalogue.keywords.get(family, ())
    )
