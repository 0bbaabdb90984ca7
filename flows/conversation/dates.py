"""Reading an appointment date the way people type it, in English or Spanish."""

from __future__ import annotations

import datetime as dt
import re

import dateparser

from flows.inbox.classify import allowed_typos, distance
from flows.language import Language
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
_MONTH_NAMES = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec today tomorrow
enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
diciembre ene abr ago dic hoy manana
"""
MONTHS = frozenset(_MONTH_NAMES.split())
_DAY_AND_MONTH = re.compile(r"\b\d{1,2}\s*[/.-]\s*\d{1,2}\b")
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
# "a week from today" / "2 weeks from now": dateparser reads these backwards.
_FROM_NOW = re.compile(r"\b(a|one|\d+) (day|week)s? from (today|now)\b")
_YEAR = re.compile(r"\b\d{4}\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
# A month and day with no year more than this far ahead was most likely a day just gone.
_RECENT_PAST = dt.timedelta(days=300)
_DATEPARSER_LANGUAGES = {Language.EN: ["en", "es"], Language.ES: ["es", "en"]}


def _weekday(tokens: list[str], today: dt.date) -> dt.date | None:
    """`tuesday`, `next tuesday`, `el próximo martes`: the coming one, 1 to 7 days ahead."""
    days = [WEEKDAYS[t] for t in tokens if t in WEEKDAYS]
    others = [t for t in tokens if t not in WEEKDAYS and t not in _WEEKDAY_FILLER]
    if len(days) != 1 or others:
        return None
    ahead = (days[0] - today.weekday() - 1) % 7 + 1
    return today + dt.timedelta(days=ahead)


def _weekday_and_day(lowered: str, today: dt.date) -> dt.date | None:
    """`martes 15`, `Tuesday the 15th`: the next day numbered so that falls on that weekday."""
    tokens = re.findall(r"[a-z]+|\d+", strip_accents(lowered))
    days = [WEEKDAYS[t] for t in tokens if t in WEEKDAYS]
    numbers = [int(t) for t in tokens if t.isdigit()]
    others = [t for t in tokens if not t.isdigit() and t not in WEEKDAYS]
    if (
        len(days) != 1
        or len(numbers) != 1
        or set(others) - _WEEKDAY_FILLER - {"th", "st", "nd", "rd"}
    ):
        return None
    for ahead in range(366):
        day = today + dt.timedelta(days=ahead)
        if day.day == numbers[0] and day.weekday() == days[0]:
            return day
    return None


# Words around a day of the month typed alone ("the 4th", "el 30", "it's on the 4th").
_DAY_FILLER = _WEEKDAY_FILLER | {"it", "s", "its", "is", "for", "dia", "mi", "cita", "es"}
_ORDINAL = frozenset({"th", "st", "nd", "rd"})


def _day_alone(lowered: str, today: dt.date) -> dt.date | None:
    """`the 4th`, `el 30`: the next day of that number, today included (the reply repeats
    the whole date back and saves it only after a yes)."""
    tokens = re.findall(r"[a-z]+|\d+", strip_accents(lowered))
    numbers = [int(t) for t in tokens if t.isdigit()]
    others = {t for t in tokens if not t.isdigit()}
    if len(numbers) != 1 or not 1 <= numbers[0] <= 31 or others - _DAY_FILLER - _ORDINAL:
        return None
    if not others:
        return None  # a bare "2" is a menu choice sent twice, not a date
    for ahead in range(62):  # two months always hold any day number from 1 to 31
        day = today + dt.timedelta(days=ahead)
        if day.day == numbers[0]:
            return day
    return None


def _month_spelt_right(text: str) -> str:
    """`15 de dicembre` → `15 de diciembre`: a month one or two letters off, put right."""

    def right(found: re.Match[str]) -> str:
        token = strip_accents(found[0])
        if token in MONTHS or len(token) <= 4:
            return found[0]
        limit = allowed_typos(len(token))
        close = sorted((distance(token, m, limit), m) for m in MONTHS if len(m) > 4)
        best = [m for d, m in close if d == close[0][0] and d <= limit]
        return best[0] if len(best) == 1 else found[0]  # a tie is a guess: leave it

    return re.sub(r"[^\W\d_]+", right, text)


def looks_like_a_date(text: str) -> bool:
    """A month (even misspelt: "dicembre"), a weekday or `12/15` in it: a date typed in a
    way we could not read."""
    tokens = re.findall(r"[a-z]+", strip_accents(text.lower()))
    names = MONTHS | WEEKDAYS.keys()
    named = any(t in names or _misspelt_month(t) for t in tokens)
    return named or bool(_DAY_AND_MONTH.search(text))


def _misspelt_month(token: str) -> bool:
    limit = allowed_typos(len(token))
    return limit > 0 and any(
        len(month) > 4 and distance(token, month, limit) <= limit for month in MONTHS
    )


def read_date(text: str, language: Language, today: dt.date) -> dt.date | None:
    """The date a reply names, or None when it names no single day."""
    if len(text) > MAX_DATE_TEXT:
        return None
    lowered = " ".join(text.lower().split())
    tokens = re.findall(r"[a-z]+", strip_accents(lowered))
    if tokens and not any(c.isdigit() for c in lowered) and (day := _weekday(tokens, today)):
        return day
    if day := _weekday_and_day(lowered, today):
        return day
    if day := _day_alone(lowered, today):
        return day
    cleaned = _month_spelt_right(_LEADING.sub("", lowered).strip(" .!?¿¡"))
    cleaned = _FROM_NOW.sub(lambda m: f"in {1 if m[1] in ('a', 'one') else m[1]} {m[2]}s", cleaned)
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
    if parsed is None:
        return None
    day = parsed.date()
    if day - today > _RECENT_PAST and not _YEAR.search(cleaned):
        return _a_year_earlier(day)  # "11/24" on Nov 25 is yesterday, not next year
    return day


def _a_year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # February 29th
        return day.replace(year=day.year - 1, day=28)
