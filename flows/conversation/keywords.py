"""Recognising what a reply asks for, from the keywords of every catalogue at once."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping
from enum import StrEnum

from flows.content import RECORD_ITEMS, Content
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


@dataclasses.dataclass(frozen=True, slots=True)
class Reading:
    """Everything one reply could mean; the machine picks by the step it is in."""

    kinds: Mapping[Kind, Language]  # keyword family -> language of the keyword matched
    done: tuple[int, ...] | None  # items named after DONE / LISTO; None when not a DONE reply
    stop_language: Language | None  # set when it is a stop keyword or plainly means stop
    compact: str
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
        sentences: list[tuple[Language, re.Pattern[str]]] = []
        for language, catalogue in content.catalogues.items():
            for family in Kind:
                for word in catalogue.keywords.get(family.value, ()):
                    exact[compact(word)].setdefault(family, language)
                    spelling.setdefault(compact(word), words(word))
            done_words.update(words(w) for w in catalogue.keywords.get("done", ()))
            all_words.update(compact(w) for w in catalogue.keywords.get("all", ()))
            if catalogue.opt_out_patterns:
                sentences.append((language, re.compile("|".join(catalogue.opt_out_patterns))))
        self._exact = {k: dict(v) for k, v in exact.items()}
        self._spelling = spelling
        self._done_words = sorted(done_words, key=len, reverse=True)  # longest first
        self._all_words = frozenset(all_words)
        self._stop_sentences = tuple(sentences)

    def read(self, text: str) -> Reading:
        plain = words(text)
        key = plain.replace(" ", "")
        kinds = self._exact.get(key, {})
        stop_language = kinds.get(Kind.OPT_OUT) or next(
            (language for language, pattern in self._stop_sentences if pattern.search(plain)), None
        )
        return Reading(
            kinds=kinds,
            done=self._done_items(plain),
            stop_language=stop_language,
            compact=key,
            keyword=self._spelling.get(key) if kinds else None,
        )

    def _done_items(self, plain: str) -> tuple[int, ...] | None:
        """`DONE 1 3` -> (1, 3); `DONE ALL` -> every item; `DONE` -> (); anything else None."""
        for word in self._done_words:
            if plain == word or plain.startswith(word + " "):
                rest = plain[len(word) :].split()
                break
        else:
            return None
        if len(rest) == 1 and rest[0] in self._all_words:
            return RECORD_ITEMS
        digits = "".join(rest)  # "DONE 1 3", "DONE 1,3" and "DONE 13" all name items 1 and 3
        if not digits.isdigit() and digits != "":
            return None
        items = {int(d) for d in digits}
        if not items <= set(RECORD_ITEMS):
            return None
        return tuple(sorted(items))
