"""The content catalogues: every text and keyword, one TOML file per language."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from babel.dates import format_date

from flows.language import Language

CATALOGUE_DIR = Path(__file__).parent
RECORD_ITEMS: tuple[int, ...] = (1, 2, 3, 4)
"""Numbered checklist items; their names live in the catalogues."""
STAFF_WELCOME = "staff_welcome"  # the first text after staff sign a person up
STAFF_SCRIPT = "staff_script"  # what staff read aloud to ask for consent (a spoken entry)
WHEN_KEYS = frozenset({"on", "today", "tomorrow", "days"})
"""The ways of saying how far the visit is, in `[when]` of each catalogue."""


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """One language's texts, keywords and budgets, as staff wrote them."""

    language: Language
    date_format: str
    default_segments: int
    sms: Mapping[str, str]
    voice: Mapping[str, str]
    segments: Mapping[str, int]
    keywords: Mapping[str, tuple[str, ...]]
    opt_out_patterns: tuple[str, ...]
    records: Mapping[int, str]
    phrases: tuple[str, ...]
    when_words: Mapping[str, str]  # "in {days} days, on {date}", "tomorrow, {date}", ...
    labels: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)

    def label(self, group: str, value: object) -> str:
        """What staff read for a code name ("opted_out"); the code itself when unlabelled."""
        text = "" if value is None else str(value)
        return self.labels.get(group, {}).get(text, text)

    def budget(self, key: str) -> int:
        return self.segments.get(key, self.default_segments)

    def format_date(self, day: dt.date) -> str:
        return format_date(day, self.date_format, locale=self.language.value)

    def missing_list(self, items: tuple[int, ...]) -> str:
        return "; ".join(f"{n} {self.records[n]}" for n in items)

    def spoken_list(self, items: tuple[int, ...]) -> str:
        """For speech: no numbers, just the names ("Pathology report. Lab and test results")."""
        return ". ".join(self.records[n] for n in items)

    def when(self, days: int | None, date: str) -> str:
        """How far the visit is, truthfully: "today, …", "tomorrow, …", "in 5 days, on …"."""
        near = {0: "today", 1: "tomorrow"}
        key = "on" if days is None or days < 0 else near.get(days, "days")
        return self.when_words[key].format(days=days, date=date)

    def texts(self, channel: str) -> Mapping[str, str]:
        return self.voice if channel == "voice" else self.sms


def load_catalogue(path: Path) -> Catalogue:
    """Read one catalogue file; a malformed file fails loudly at start-up, not mid-chat."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    meta = data["meta"]
    signup = data.get("staff_signup", {})  # kept in a table of its own, merged in here
    sms = {**data["sms"], **({STAFF_WELCOME: signup["welcome"]} if "welcome" in signup else {})}
    voice = {**data.get("voice", {}), **({STAFF_SCRIPT: signup["script"]} if signup else {})}
    segments = {k: int(v) for k, v in data.get("segments", {}).items()}
    if "segments" in signup:
        segments[STAFF_WELCOME] = int(signup["segments"])
    return Catalogue(
        language=Language(meta["language"]),
        date_format=meta["date_format"],
        default_segments=int(meta["default_segments"]),
        sms=MappingProxyType(sms),
        voice=MappingProxyType(voice),
        segments=MappingProxyType(segments),
        keywords=MappingProxyType({k: tuple(v) for k, v in data["keywords"].items()}),
        opt_out_patterns=tuple(data.get("opt_out_phrases", {}).get("patterns", ())),
        records=MappingProxyType({int(k): v for k, v in data["records"].items()}),
        phrases=tuple(data["phrases"]["list"]),
        when_words=MappingProxyType(dict(data["when"])),
        labels=MappingProxyType(
            {
                group: MappingProxyType(dict(words))
                for group, words in data.get("labels", {}).items()
            }
        ),
    )


@dataclasses.dataclass(frozen=True)
class Content:
    """All catalogues, by language."""

    catalogues: Mapping[Language, Catalogue]

    def __getitem__(self, language: Language) -> Catalogue:
        return self.catalogues[language]


def load_content(directory: Path = CATALOGUE_DIR) -> Content:
    catalogues = {}
    for path in sorted(directory.glob("[a-z][a-z].toml")):
        catalogue = load_catalogue(path)
        catalogues[catalogue.language] = catalogue
    missing = set(Language) - set(catalogues)
    if missing:
        raise ValueError(f"no catalogue for {sorted(missing)} in {directory}")
    return Content(MappingProxyType(catalogues))


__all__ = [
    "RECORD_ITEMS",
    "STAFF_SCRIPT",
    "STAFF_WELCOME",
    "WHEN_KEYS",
    "Catalogue",
    "Content",
    "load_catalogue",
    "load_content",
]
