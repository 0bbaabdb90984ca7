"""Twilio's form fields and our own query values, made safe to store whatever was signed.

A signature proves Twilio sent a request, not that its values fit a column: PostgreSQL
refuses NUL in text, an integer column refuses 20 digits, a sid column holds 64 characters.
"""

from __future__ import annotations

import re

from flask import abort, request

MAX_ID = 2**31 - 1  # the largest value of an integer column on both databases
MAX_BODY = 1600  # Twilio's longest text
MAX_FIELD = 256  # any other field we read
SID = re.compile(r"[A-Za-z0-9]{1,64}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab, newline, return


def clean(value: str, limit: int = MAX_FIELD) -> str:
    """Without NUL and other control characters, and no longer than `limit`."""
    return CONTROL.sub("", value)[:limit]


def field(name: str, limit: int = MAX_FIELD) -> str:
    return clean(request.form.get(name, ""), limit)


def sid(name: str) -> str:
    """A Twilio sid (letters and digits, 64 at most), or 400."""
    value = request.form.get(name, "")
    if not SID.fullmatch(value):
        abort(400, f"{name} is required: letters and digits, 64 at most")
    return value


def bounded(value: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """A plain ASCII whole number within [low, high], or None (no '²', no 20 digits)."""
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(high))):
        return None
    number = int(value)
    return number if low <= number <= high else None


def query_number(name: str, default: int | None = None, high: int = MAX_ID) -> int:
    """A whole number from the query string (our own URLs), or 400."""
    raw = request.args.get(name)
    number = default if raw is None else bounded(raw, 0, high)
    if number is None:
        abort(400, f"{name} must be a whole number up to {high}")
    return number
