"""Saved answers: short replies staff pick in the inbox, kept in the catalogues as data.

Any text whose key starts with `answer_` is one: staff add or reword them in `en.toml` and
`es.toml` like any other text, and the content check holds them to their segment budget.
"""

from __future__ import annotations

from flows.content import Content
from flows.language import Language

PREFIX = "answer_"


def saved_answers(content: Content) -> tuple[str, ...]:
    """The keys of every saved answer, in catalogue order (those in every language only)."""
    first = content[Language.EN].sms
    return tuple(
        key
        for key in first
        if key.startswith(PREFIX) and all(key in c.sms for c in content.catalogues.values())
    )


def title(key: str) -> str:
    """What staff read in the list: `answer_records_office` -> "Records office"."""
    return key.removeprefix(PREFIX).replace("_", " ").capitalize()
