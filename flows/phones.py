"""Phone numbers: E.164 form, the country they belong to, a time-zone guess, a log-safe mask."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection

import phonenumbers
from phonenumbers import timezone as number_timezones

UNKNOWN_ZONE = "Etc/Unknown"


def to_e164(raw: str, default_region: str = "US") -> str | None:
    """`(212) 555-0101`, `+1 212 555 0101` -> `+12125550101`; None when it is not a number."""
    number = read(raw, default_region)
    return number.e164 if number else None


@dataclasses.dataclass(frozen=True, slots=True)
class Number:
    """What the webhooks need of a number, from one parse (parsing is the costly part)."""

    e164: str
    region: str | None  # its ISO country (`PR` for 787), as `region` gives
    zone: str | None  # its area code's one time zone, None when it has several or none

    def timezone(self, fallback: str) -> str:
        """As `guess_timezone`: the area code's zone, else `fallback`."""
        return self.zone or fallback


@functools.lru_cache(maxsize=4096)  # a number texts and calls more than once
def read(raw: str, default_region: str = "US") -> Number | None:
    """A number's E.164 form, country and zone from one parse; None when not a number."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    zones = number_timezones.time_zones_for_number(number)
    zone = str(zones[0]) if len(zones) == 1 and zones[0] != UNKNOWN_ZONE else None
    return Number(e164, phonenumbers.region_code_for_number(number), zone)


# What Twilio puts in From when a caller hides their number: its placeholder numbers for an
# anonymous, restricted, blocked, unknown and unavailable caller ID, and the words some send.
HIDDEN_NUMBERS = frozenset({"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"})
HIDDEN_WORDS = frozenset({"", "anonymous", "restricted", "blocked", "unknown", "unavailable"})


def is_hidden(raw: str) -> bool:
    """A caller ID that names no one we could text."""
    plain = "".join(c for c in raw if c.isalnum()).lower()
    return plain in HIDDEN_WORDS or f"+{plain}" in HIDDEN_NUMBERS


def region(e164: str) -> str | None:
    """The ISO country of a number (`PR` for 787, `GU` for 671), or None."""
    number = read(e164)
    return number.region if number else None


def is_allowed(e164: str, countries: Collection[str]) -> bool:
    return region(e164) in countries


def guess_timezone(e164: str, fallback: str) -> str:
    """The number's time zone when its area code has exactly one, else the program's."""
    number = read(e164)
    return number.timezone(fallback) if number else fallback


def national(e164: str) -> str:
    """`+12125550100` -> `(212) 555-0100`: how a number is written and read out to people."""
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask(e164: str) -> str:
    """Only the last four digits, for logs and staff lists: `+1•••0101`."""
    return f"{e164[:2]}•••{e164[-4:]}" if len(e164) > 6 else "•••"
