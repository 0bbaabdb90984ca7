"""Whether a text the flow did not understand is meant for a person: a question or a problem.

A question mark with a few words, a sentence, or a few words that ask for someone ("I
need help", "hablar con alguien") read like a person talking; a keyword, a keyword typed
wrong ("RECRODS", "todavia nop") or a number does not, and gets the menu as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from flows.text import compact, words

MIN_WORDS = 4  # this many words is someone telling us something
MIN_QUESTION_WORDS = 2  # with a question mark, fewer do: "can I?" is still one word short
QUESTION_MARKS = ("?", "¿")


@dataclasses.dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the classifier compares with, built once from the catalogues."""

    keywords: frozenset[str]  # every keyword of every language, compact ("NOTYET")
    asking: frozenset[str]  # single words that ask for a person ("HELP", "PERSONA")

    @classmethod
    def of(cls, keywords: Iterable[str], asking: Iterable[str]) -> Vocabulary:
        return cls(frozenset(compact(k) for k in keywords), frozenset(words(a) for a in asking))


def needs_a_person(text: str, vocabulary: Vocabulary) -> bool:
    """A question, a problem or a request for someone, and not a keyword (nor a typo of one)."""
    said = [token for token in words(text).split() if token.isalpha()]
    asks = any(mark in text for mark in QUESTION_MARKS)
    reads_like_a_person = (
        (asks and len(said) >= MIN_QUESTION_WORDS)
        or (len(said) >= 2 and not vocabulary.asking.isdisjoint(said))
        or len(said) >= MIN_WORDS
    )
    return reads_like_a_person and not is_keyword_or_typo(text, vocabulary)


def allowed_typos(length: int) -> int:
    """Short words must match exactly ("NO" is not "SO"); longer ones may be one or two off."""
    return 0 if length <= 3 else 1 if length <= 6 else 2


def is_keyword_or_typo(text: str, vocabulary: Vocabulary) -> bool:
    key = compact(text)
    if not key:
        return False
    if key in vocabulary.keywords:
        return True
    limit = allowed_typos(len(key))
    return limit > 0 and any(
        abs(len(word) - len(key)) <= limit and distance(key, word, limit) <= limit
        for word in vocabulary.keywords
    )


def distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap two neighbours) from a to b; past `limit`, limit + 1."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        earlier, before, row = before, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], earlier[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)
