"""The catalogue check: keys, placeholders and segment budgets, for every message."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flows.content import RECORD_ITEMS, STAFF_SCRIPT, STAFF_WELCOME, WHEN_KEYS, Content
from flows.content.program import LONGEST, length_problems, placeholder_problems
from flows.content.render import PLACEHOLDERS, Program, Reply, placeholders, render
from flows.content.segments import Encoding, count_segments
from flows.language import Language

MIN_PHRASES = 4
# Texts that tell people how often we write: the number is filled in from the plan's weekly
# cap, so the promise and what is enforced can never drift apart.
FREQUENCY = {
    "sms": ("consent", "welcome_back", "help", "voice_welcome", "confirm_by_text", STAFF_WELCOME),
    "voice": ("consent", STAFF_SCRIPT),
}
DAYS_AHEAD = (None, 0, 1, 2, 10)  # "on …", "today", "tomorrow", "in N days": every wording


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
    return [
        Reply(key, language, date=date, missing=RECORD_ITEMS, phrase=i, days=days)
        for i in range(count)
        for days in DAYS_AHEAD
    ]


def check(content: Content, program: Program, *, strict: bool = False) -> Report:
    """Keys, placeholders and budgets (filled with the configured words and with realistic
    long ones); `strict`, as for a real program: no stand-in names or contacts either."""
    rows: list[Row] = []
    problems: list[str] = length_problems(program)
    if strict:
        problems.extend(placeholder_problems(program))
    filled_with = (program, dataclasses.replace(LONGEST, per_week=program.per_week))
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
                    count_segments(render(content, words, r))
                    for r in _worst_cases(content, language, key)
                    for words in filled_with
                ),
                key=lambda c: (c.segments, c.units),
            )
            row = Row(
                language, key, worst.encoding, worst.units, worst.segments, catalogue.budget(key)
            )
            rows.append(row)
            if row.over_budget:
                problems.append(f"{language}.{key}: {row.segments} segments, budget {row.budget}")
    problems.extend(_voice_problems(content))
    problems.extend(_frequency_problems(content))
    problems.extend(_when_problems(content))
    problems.extend(_label_problems(content))
    return Report(tuple(rows), tuple(dict.fromkeys(problems)))


def _frequency_problems(content: Content) -> list[str]:
    return [
        f"{language}.{channel}.{key}: must say how often with {{per_week}}"
        for language, catalogue in content.catalogues.items()
        for channel, keys in FREQUENCY.items()
        for key in keys
        if "per_week" not in placeholders(catalogue.texts(channel).get(key, ""))
    ]


def _when_problems(content: Content) -> list[str]:
    problems: list[str] = []
    for language, catalogue in content.catalogues.items():
        if set(catalogue.when_words) != WHEN_KEYS:
            problems.append(f"{language}: [when] must have {sorted(WHEN_KEYS)}")
        for key, words in catalogue.when_words.items():
            wanted = {"date", "days"} if key == "days" else {"date"}
            if placeholders(words) != wanted:
                problems.append(f"{language}.when.{key}: must use {sorted(wanted)}")
    return problems


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


def _label_problems(content: Content) -> list[str]:
    """Every label group and value in one language is in every other."""
    problems: list[str] = []
    for language, catalogue in content.catalogues.items():
        for other in content.catalogues.values():
            for group, words in other.labels.items():
                missing = set(words) - set(catalogue.labels.get(group, {}))
                problems.extend(
                    f"{language}: missing label {group}.{key}" for key in sorted(missing)
                )
    return problems
