"""The catalogue check: keys, placeholders and segment budgets, for every message."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flows.content import RECORD_ITEMS, Content
from flows.content.render import PLACEHOLDERS, Program, Reply, placeholders, render
from flows.content.segments import Encoding, count_segments
from flows.language import Language

MIN_PHRASES = 4


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    language: Language
    key: str
    encoding: Encoding
    units: int
    segments: int
    budget: int

    @property
    def over_budget(self) -> bool:
        return self.segments > self.budget


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    rows: tuple[Row, ...]
    problems: tuple[str, ...]


def longest_date(content: Content, language: Language) -> dt.date:
    """The day whose written-out form is longest in that language (budgets take the worst)."""
    start = dt.date(2027, 1, 1)
    days = (start + dt.timedelta(days=n) for n in range(365))
    return max(days, key=lambda d: len(content[language].format_date(d)))


def _worst_cases(content: Content, language: Language, key: str) -> list[Reply]:
    """Every way one message can be filled in, with the longest values it can hold."""
    date = longest_date(content, language)
    count = len(content[language].phrases) if "{phrase}" in content[language].sms[key] else 1
    return [Reply(key, language, date=date, missing=RECORD_ITEMS, phrase=i) for i in range(count)]


def check(content: Content, program: Program) -> Report:
    rows: list[Row] = []
    problems: list[str] = []
    all_keys = set().union(*(c.sms for c in content.catalogues.values()))
    for language, catalogue in content.catalogues.items():
        for key in sorted(all_keys - set(catalogue.sms)):
            problems.append(f"{language}: missing message {key!r}")
        if len(catalogue.phrases) < MIN_PHRASES:
            problems.append(f"{language}: {len(catalogue.phrases)} phrases, need {MIN_PHRASES}")
        if set(catalogue.records) != set(RECORD_ITEMS):
            problems.append(f"{language}: record items must be {list(RECORD_ITEMS)}")
        for key in sorted(catalogue.sms):
            names = placeholders(catalogue.sms[key])
            if unknown := names - PLACEHOLDERS:
                problems.append(f"{language}.{key}: unknown placeholder {sorted(unknown)}")
            for other in content.catalogues.values():
                if key in other.sms and placeholders(other.sms[key]) != names:
                    problems.append(f"{language}.{key}: placeholders differ from {other.language}")
            if unknown:
                continue
            worst = max(
                (
                    count_segments(render(content, program, r))
                    for r in _worst_cases(content, language, key)
                ),
                key=lambda c: c.segments,
            )
            row = Row(
                language, key, worst.encoding, worst.units, worst.segments, catalogue.budget(key)
            )
            rows.append(row)
            if row.over_budget:
                problems.append(f"{language}.{key}: {row.segments} segments, budget {row.budget}")
    problems.extend(_voice_problems(content))
    return Report(tuple(rows), tuple(dict.fromkeys(problems)))


def _voice_problems(content: Content) -> list[str]:
    """Spoken entries: the same keys and placeholders in every language (no segments)."""
    problems: list[str] = []
    all_keys = set().union(*(c.voice for c in content.catalogues.values()))
    for language, catalogue in content.catalogues.items():
        for key in sorted(all_keys - set(catalogue.voice)):
            problems.append(f"{language}: missing spoken entry {key!r}")
        for key, text in catalogue.voice.items():
            names = placeholders(text)
            if unknown := names - PLACEHOLDERS:
                problems.append(f"{language}.voice.{key}: unknown placeholder {sorted(unknown)}")
            for other in content.catalogues.values():
                if key in other.voice and placeholders(other.voice[key]) != names:
                    problems.append(
                        f"{language}.voice.{key}: placeholders differ from {other.language}"
                    )
    return problems
