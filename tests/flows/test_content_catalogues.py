"""The English and Spanish catalogues agree with each other and fit their segment budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from flowkit import CONTENT, PROGRAM

from flows import Language, Reply, render
from flows.content import RECORD_ITEMS
from flows.content.render import PLACEHOLDERS, placeholders
from flows.content.segments import Encoding, count_segments
from flows.conversation.keywords import Keywords
from flows.inbox.saved import saved_answers, title

EN, ES = CONTENT[Language.EN], CONTENT[Language.ES]
CATALOGUES = [pytest.param(CONTENT[language], id=language.value) for language in Language]
EVERY_KEY = sorted(EN.sms)
YEAR = [dt.date(2026, 11, 25) + dt.timedelta(days=n) for n in range(366)]


def longest_date(catalogue) -> dt.date:
    return max(YEAR, key=lambda day: len(catalogue.format_date(day)))


def test_both_catalogues_have_the_same_messages():
    assert set(EN.sms) == set(ES.sms)


@pytest.mark.parametrize("key", EVERY_KEY)
def test_each_message_has_the_same_placeholders_in_both_languages(key):
    assert placeholders(EN.sms[key]) == placeholders(ES.sms[key])


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_placeholder_is_one_the_service_fills_in(catalogue):
    for key, text in catalogue.sms.items():
        assert placeholders(text) <= PLACEHOLDERS, key


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_budget_is_for_a_message_that_exists(catalogue):
    assert set(catalogue.segments) <= set(catalogue.sms)
    assert all(budget >= 1 for budget in catalogue.segments.values())


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_there_are_at_least_four_phrasings(catalogue):
    assert len(catalogue.phrases) >= 4
    assert len(set(catalogue.phrases)) == len(catalogue.phrases)


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_the_checklist_has_the_four_records(catalogue):
    assert tuple(sorted(catalogue.records)) == RECORD_ITEMS == (1, 2, 3, 4)
    assert all(name.strip() for name in catalogue.records.values())


def test_both_catalogues_listen_for_the_same_kinds_of_reply():
    assert set(EN.keywords) == set(ES.keywords)


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_keyword_family_has_words(catalogue):
    assert all(catalogue.keywords[family] for family in catalogue.keywords)


def test_the_enrolment_keywords_are_second_and_segunda_alone_or_with_opinion():
    assert EN.keywords["enrol"] == ("SECOND", "SECOND OPINION")
    assert ES.keywords["enrol"] == ("SEGUNDA", "SEGUNDA OPINION")


def test_dates_are_written_out_in_each_language():
    tuesday = dt.date(2026, 12, 15)
    assert EN.format_date(tuesday) == "Tuesday, December 15"
    assert ES.format_date(tuesday) == "martes 15 de diciembre"  # no comma in Spanish


@pytest.mark.parametrize("catalogue", CATALOGUES)
@pytest.mark.parametrize("key", EVERY_KEY)
def test_every_message_with_long_values_fits_its_budget(catalogue, key):
    day = longest_date(catalogue)
    for phrase in range(len(catalogue.phrases)):
        reply = Reply(key, catalogue.language, date=day, missing=RECORD_ITEMS, phrase=phrase)
        text = render(CONTENT, PROGRAM, reply)
        count = count_segments(text)
        assert count.segments <= catalogue.budget(key), (
            f"{catalogue.language}/{key} is {count.segments} segments ({count.encoding}, "
            f"{count.units} units), budget {catalogue.budget(key)}: {text!r}"
        )
        assert "{" not in text and "}" not in text


@pytest.mark.parametrize("key", EVERY_KEY)
def test_english_texts_are_plain_gsm7(key):
    day = longest_date(EN)
    text = render(CONTENT, PROGRAM, Reply(key, Language.EN, date=day, missing=RECORD_ITEMS))
    assert count_segments(text).encoding is Encoding.GSM7, text


@pytest.mark.parametrize("phrase", list(EN.phrases) + list(EN.records.values()))
def test_english_phrasings_and_record_names_are_plain_gsm7(phrase):
    assert count_segments(phrase).encoding is Encoding.GSM7


def test_every_english_date_of_the_year_is_gsm7():
    assert all(count_segments(EN.format_date(day)).encoding is Encoding.GSM7 for day in YEAR)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ñ" * 70, 1),  # ñ is in the GSM-7 alphabet
        ("ó" * 70, 1),
        ("ó" * 71, 2),
        ("[" * 80, 1),  # extension characters cost two septets
        ("[" * 81, 2),
    ],
)
def test_segments_are_counted_the_way_carriers_count(text, segments):
    assert count_segments(text).segments == segments


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_no_message_names_a_diagnosis(catalogue):
    everything = " ".join([*catalogue.sms.values(), *catalogue.phrases]).lower()
    for word in ("cancer", "cáncer", "tumor", "carcinoma"):
        assert word not in everything


def test_saved_answers_are_in_both_languages_and_named_for_staff():
    keys = saved_answers(CONTENT)
    assert len(keys) >= 5 and all(k.startswith("answer_") for k in keys)
    assert {k for k in ES.sms if k.startswith("answer_")} == set(keys)
    assert title("answer_records_office") == "Records office"


def test_the_words_that_ask_for_a_person_are_not_keywords_themselves():
    vocabulary = Keywords(CONTENT).vocabulary
    assert {"PERSONA", "ALGUIEN", "PERSON", "SOMEONE"} <= vocabulary.asking
    assert "PERSONA" not in vocabulary.keywords and "HELP" in vocabulary.keywords
