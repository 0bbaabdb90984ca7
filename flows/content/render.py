"""What the machine asks to say, and turning it into the words of one catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string

from flows.content import Content
from flows.language import Language

PLACEHOLDERS = frozenset({"program", "org", "contact", "date", "missing", "phrase"})


@dataclasses.dataclass(frozen=True, slots=True)
class Program:
    """Who runs the program: filled into consent and HELP texts from configuration."""

    name: str
    org: str
    contact: str


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """A catalogue key plus language-neutral values, rendered only when it is sent."""

    key: str
    language: Language
    date: dt.date | None = None
    missing: tuple[int, ...] = ()
    phrase: int = 0


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def render(content: Content, program: Program, reply: Reply, channel: str = "sms") -> str:
    """The reply in its language's words for texts (`sms`) or for speech (`voice`)."""
    catalogue = content[reply.language]
    spoken = channel == "voice"
    values = {
        "program": program.name,
        "org": program.org,
        "contact": program.contact,
        "date": catalogue.format_date(reply.date) if reply.date else "",
        "missing": (catalogue.spoken_list if spoken else catalogue.missing_list)(reply.missing),
        "phrase": catalogue.phrases[reply.phrase % len(catalogue.phrases)],
    }
    return catalogue.texts(channel)[reply.key].format_map(values)
