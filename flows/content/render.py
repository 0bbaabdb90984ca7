"""What the machine asks to say, and turning it into the words of one catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
from collections.abc import Mapping
from types import MappingProxyType

from flows.content import Content
from flows.language import Language

PLACEHOLDERS = frozenset(
    {"program", "org", "contact", "phone", "per_week", "date", "when", "missing", "phrase"}
)


@dataclasses.dataclass(frozen=True, slots=True)
class Sponsor:
    """How the program names itself in one language: its name, who runs it, whom to call."""

    name: str
    org: str
    contact: str


@dataclasses.dataclass(frozen=True, slots=True)
class Program:
    """What texts say about the program: per-language names, its own number, its weekly cap."""

    sponsors: Mapping[Language, Sponsor]
    phone: str = ""  # the program's own number, for "call us back"; empty: say the contact
    per_week: int = 4  # at most this many reminders a week: the plan's cap, filled in by Machine

    @classmethod
    def everywhere(cls, name: str, org: str, contact: str, phone: str = "") -> Program:
        """The same words in every language (for proper names that need no translation)."""
        sponsor = Sponsor(name, org, contact)
        return cls(MappingProxyType(dict.fromkeys(Language, sponsor)), phone)

    def sponsor(self, language: Language) -> Sponsor:
        return self.sponsors[language]


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """A catalogue key plus language-neutral values, rendered only when it is sent."""

    key: str
    language: Language
    date: dt.date | None = None
    missing: tuple[int, ...] = ()
    phrase: int = 0
    days: int | None = None  # days from today to `date`, for "in 5 days" / "tomorrow"


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def render(content: Content, program: Program, reply: Reply, channel: str = "sms") -> str:
    """The reply in its language's words for texts (`sms`) or for speech (`voice`)."""
    catalogue = content[reply.language]
    spoken = channel == "voice"
    sponsor = program.sponsor(reply.language)
    date = catalogue.format_date(reply.date) if reply.date else ""
    values = {
        "program": sponsor.name,
        "org": sponsor.org,
        "contact": sponsor.contact,
        "phone": program.phone or sponsor.contact,
        "per_week": str(program.per_week),
        "date": date,
        "when": catalogue.when(reply.days, date) if reply.date else "",
        "missing": (catalogue.spoken_list if spoken else catalogue.missing_list)(reply.missing),
        "phrase": catalogue.phrases[reply.phrase % len(catalogue.phrases)],
    }
    return catalogue.texts(channel)[reply.key].format_map(values)
