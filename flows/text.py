"""Turning what people type into something comparable, whatever their phone does to it."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^A-Z0-9]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> str:
    """Upper case, no accents, punctuation and emoji as spaces, single spaces."""
    plain = strip_accents(text).upper().replace("'", "").replace("\u2019", "")  # DON'T -> DONT
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def compact(text: str) -> str:
    """`words` with the spaces removed, so 'Not yet', 'NOT-YET' and 'notyet' compare equal."""
    return words(text).replace(" ", "")
