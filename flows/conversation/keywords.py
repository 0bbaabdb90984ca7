"""Recognising what a reply asks for, from the keywords of every catalogue at once."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping
from enum import StrEnum

from flows.content import RECORD_ITEMS, Content
from flows.inbox.classify import Vocabulary, needs_a_person
from flows.language import Language
from flows.text import compact, words


class Kind(StrEnum):
    """A keyword family; the names match the `[keywords]` tables of the catalogues."""

    ENROL = "enrol"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    LANG_EN = "lang_en"
    LANG_ES = "lang_es"
    LANG_ASK = "lang_ask"
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    NOT_BOOKED = "not_booked"
    DATE = "date"
    RECORDS = "records"
    PHRASES = "phrases"
    MENU = "menu"
    SENT = "sent"
    REFERRAL = "referral"
    CALLS = "calls"
    TEXTS = "texts"
    UPSET = "upset"
    MOVED = "moved"  # the visit has a new date


ASKING = "ask_person"  # the `[keywords]` family of single words that ask for a person


@dataclasses.dataclass(frozen=True, slots=True)
class Reading:
    """Everything one reply could mean; the machine picks by the step it is in."""

    kinds: Mapping[Kind, Language]  # keyword family -> language of the keyword matched
    done: tuple[int, ...] | None  # items named after DONE / TENGO; None when not a DONE reply
    numbers: tuple[int, ...] | None  # a bare list of checklist items ("1, 3"); None otherwise
    stop_language: Language | None  # set when it is a stop keyword or plainly means stop
    compact: str
    for_a_person: bool = False  # reads like a question or a problem, not like a keyword
    keyword: str | None = None  # the keyword matched, spelt as in the catalogue

    @property
    def says_stop(self) -> bool:
        return self.stop_language is not None

    @property
    def label(self) -> str:
        """What the consent ledger keeps of a reply: the keyword, never the person's words."""
        if self.keyword:
            return self.keyword
        return STOP_SENTENCE if self.says_stop else "(no keyword)"

    def __contains__(self, kind: Kind) -> bool:
        return kind in self.kinds


STOP_SENTENCE = "(a sentence meaning STOP)"


class Keywords:
    """Lookup tables built once from the catalogues."""

    def __init__(self, content: Content) -> None:
        exact: dict[str, dict[Kind, Language]] = defaultdict(dict)
        spelling: dict[str, str] = {}
        done_words: set[str] = set()
        all_words: set[str] = set()
        fillers: set[str] = set()
        sentences: list[tuple[Language, re.Pattern[str]]] = []
        every: list[str] = []
        asking: list[str] = []
        for language, catalogue in content.catalogues.items():
            for family, listed in catalogue.keywords.items():
                (asking if family == ASKING else every).extend(listed)
            for family in Kind:
                for word in catalogue.keywords.get(family.value, ()):
                    exact[compact(word)].setdefault(family, language)
                    spelling.setdefault(compact(word), words(word))
            done_words.update(words(w) for w in catalogue.keywords.get("done", ()))
            all_words.update(compact(w) for w in catalogue.keywords.get("all", ()))
            fillers.update(words(w) for w in catalogue.keywords.get("item_fillers", ()))
            if catalogue.opt_out_patterns:
                sentences.append((language, re.compile("|".join(catalogue.opt_out_patterns))))
        self._exact = {k: dict(v) for k, v in exact.items()}
        self._spelling = spelling
        self._done_words = sorted(done_words, key=len, reverse=True)  # longest first
        self._all_words = frozenset(all_words)
        self._fillers = frozenset(fillers)
        self._stop_sentences = tuple(sentences)
        self.vocabulary = Vocabulary.of(every, asking)

    def read(self, text: str) -> Reading:
        plain = words(text)
        key = plain.replace(" ", "")
        kinds = self._exact.get(key, {})
        stop_language = kinds.get(Kind.OPT_OUT) or next(
            (language for language, pattern in self._stop_sentences if pattern.search(plain)), None
        )
        numbers = self._items(plain.split()) if _BARE_LIST.fullmatch(text) else None
        done = self._done_items(plain)
        unmatched = not kinds and done is None and not numbers
        return Reading(
            kinds=kinds,
            done=done,
            numbers=numbers or None,
            stop_language=stop_language,
            compact=key,
            for_a_person=unmatched and needs_a_person(text, self.vocabulary),
            keyword=self._spelling.get(key) if kinds else None,
        )

    def _done_items(self, plain: str) -> tuple[int, ...] | None:
        """`DONE 1 3` -> (1, 3); `DONE ALL` -> every item; `DONE` -> (); anything else None."""
        for word in self._done_words:
            if plain == word or plain.startswith(word + " "):
                rest = [w for w in plain[len(word) :].split() if w not in self._fillers]
                break
        else:
            return None
        if len(rest) == 1 and rest[0] in self._all_words:
            return RECORD_ITEMS
        return self._items(rest)

    def _items(self, rest: list[str]) -> tuple[int, ...] | None:
        """Checklist numbers: "1 3", "1 AND 3", "EL 1 Y EL 3" and "13" all name items 1 and 3."""
        digits = "".join(w for w in rest if w not in self._fillers)
        if not digits.isdigit() and digits != "":
            return None
        items = {int(d) for d in digits}
        if not items <= set(RECORD_ITEMS):
            return None
        return tuple(sorted(items))


# Only numbers, with commas, "and" / "y" or spaces between: "1, 3", "2 y 4". A slash or a dash
# makes it a date ("1/3"), so those are left to the date reader. Something must stand between
# two numbers, so a long run of digits is matched one way only (no backtracking blow-up).
_BARE_LIST = re.compile(
    r"\s*\d+(?:(?:\s*(?:[,;&+]|\band\b|\by\b|\be\b)\s*|\s+)\d+)*\s*[.!]*\s*", re.IGNORECASE
)
