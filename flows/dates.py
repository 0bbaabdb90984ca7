"""Reading an appointment date the way people type it, in English or Spanish."""

from __future__ import annotations

import datetime as dt
import re

import dateparser

from flows.state import Language
from flows.text import strip_accents

MAX_DATE_TEXT = 60  # longer replies are sentences, not dates; dateparser is slow on them

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(["monday", "mon", "lunes"], 0),
    **dict.fromkeys(["tuesday", "tue", "tues", "martes"], 1),
    **dict.fromkeys(["wednesday", "wed", "miercoles"], 2),
    **dict.fromkeys(["thursday", "thu", "thur", "thurs", "jueves"], 3),
    **dict.fromkeys(["friday", "fri", "viernes"], 4),
    **dict.fromkeys(["saturday", "sat", "sabado"], 5),
    **dict.fromkeys(["sunday", "sun", "domingo"], 6),
}
# Words around a weekday that do not change which day is meant ("el próximo martes").
_WEEKDAY_FILLER = frozenset(
    [
        "on",
        "the",
        "this",
        "next",
        "coming",
        "el",
        "este",
        "proximo",
        "proxima",
        "que",
        "viene",
        "entrante",
        "para",
    ]
)
# Leading words people put before a date ("el 3 de enero", "on Dec 15", "it's 12/15").
_LEADING = re.compile(r"^(?:(?:it'?s|its|is|on|the|for|el|es|para|mi cita es)\s+)+")
_DATEPARSER_LANGUAGES = {Language.EN: ["en", "es"], Language.ES: ["es", "en"]}


def _weekday(tokens: list[str], today: dt.date) -> dt.date | None:
    """`tuesday`, `next tuesday`, `el próximo martes`: the coming one, 1 to 7 days ahead."""
    days = [WEEKDAYS[t] for t in tokens if t in WEEKDAYS]
    others = [t for t in tokens if t not in WEEKDAYS and t not in _WEEKDAY_FILLER]
    if len(days) != 1 or others:
        return None
    ahead = (days[0] - today.weekday() - 1) % 7 + 1
    return today + dt.timedelta(days=ahead)


def read_date(text: str, language: Language, today: dt.date) -> dt.date | None:
    """The date a reply names, or None when it names no single day."""
    if len(text) > MAX_DATE_TEXT:
        return None
    lowered = " ".join(text.lower().split())
    tokens = re.findall(r"[a-z]+", strip_accents(lowered))
    if tokens and (day := _weekday(tokens, today)):
        return day
    cleaned = _LEADING.sub("", lowered).strip(" .!?¿¡")
    if not cleaned:
        return None
    parsed = dateparser.parse(
        cleaned,
        languages=_DATEPARSER_LANGUAGES[language],
        settings={
            "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12)),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "MDY",
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    return parsed.date() if parsed else None
