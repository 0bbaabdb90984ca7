"""The records checklist: what the second doctor needs, and what is still missing."""

import pytest
from flowkit import Patient, at_ready, chat, enrolled

from flows import Language, Step

EN, ES = Language.EN, Language.ES

ITEMS = {
    EN: [
        "1 Pathology report and slides",
        "2 Imaging (the disc and the reports)",
        "3 Lab and test results",
        "4 Doctor's notes and treatment plan",
    ],
    ES: [
        "1 Informe de patología y laminillas",
        "2 Estudios de imagen (disco e informes)",
        "3 Resultados de laboratorio y pruebas",
        "4 Notas del médico y plan de tratamiento",
    ],
}


def listed(reply: str | None, language: Language) -> list[int]:
    """Which numbered items a reply names."""
    return [n for n, item in enumerate(ITEMS[language], start=1) if item in (reply or "")]


@pytest.mark.parametrize("word", ["RECORDS", "records", "checklist", "EXPEDIENTE", "documentos"])
def test_records_lists_all_four_items(machine, patient: Patient, word):
    talk = chat(machine, [word], start=at_ready(patient.language))

    assert talk.keys == ["records"]
    assert listed(talk.last, patient.language) == [1, 2, 3, 4]
    assert talk.outcome.reminders.plan is None  # only looking


def test_the_list_says_how_to_report_one(machine, patient: Patient):
    reply = chat(machine, [patient.records], start=at_ready(patient.language)).last or ""

    assert f"{patient.done} 1" in reply


@pytest.mark.parametrize(
    ("typed", "still_missing"),
    [
        ("DONE 2", [1, 3, 4]),
        ("done 2", [1, 3, 4]),
        ("LISTO 2", [1, 3, 4]),
        ("Listo 2", [1, 3, 4]),
        ("DONE 1,3", [2, 4]),
        ("DONE 1, 3", [2, 4]),
        ("DONE 1 3", [2, 4]),
        ("done 1 and 3", [2, 4]),
        ("done 1 & 3", [2, 4]),
        ("DONE 1 3 7", None),  # 7 is not on the list: nothing is marked
        ("LISTO 4", [1, 2, 3]),
        ("GOT 1", [2, 3, 4]),
        ("YA TENGO 2", [1, 3, 4]),
    ],
)
def test_done_with_numbers_marks_those_items(machine, typed, still_missing):
    start = at_ready(EN)

    talk = chat(machine, [typed], start=start)

    if still_missing is None:
        assert talk.conversation.records_done == frozenset()
    else:
        assert talk.keys == ["records_progress"]
        assert list(talk.conversation.records_missing) == still_missing
        assert listed(talk.last, EN) == still_missing
        assert talk.outcome.reminders.plan is None  # reminders read the records when they go


@pytest.mark.parametrize(
    "typed", ["DONE ALL", "done all", "DONE EVERYTHING", "LISTO TODO", "listo todos"]
)
def test_done_all_marks_everything(machine, patient: Patient, typed):
    talk = chat(machine, [typed], start=at_ready(patient.language))

    assert talk.keys == ["records_all_done"]
    assert talk.conversation.records_missing == ()


def test_later_lists_show_only_what_is_missing(machine, patient: Patient):
    talk = chat(
        machine,
        [f"{patient.done} 2", patient.records, f"{patient.done} 1,4", patient.records],
        start=at_ready(patient.language),
    )

    assert [listed(reply, patient.language) for reply in talk.replies] == [
        [1, 3, 4],
        [1, 3, 4],
        [3],
        [3],
    ]


def test_the_last_item_completes_the_list(machine, patient: Patient):
    talk = chat(
        machine,
        [f"{patient.done} 1,2", f"{patient.done} 3", f"{patient.done} 4", patient.records],
        start=at_ready(patient.language),
    )

    assert talk.keys == [
        "records_progress",
        "records_progress",
        "records_all_done",
        "records_all_done",
    ]


def test_marking_an_item_twice_changes_nothing(machine, patient: Patient):
    talk = chat(
        machine, [f"{patient.done} 2", f"{patient.done} 2"], start=at_ready(patient.language)
    )

    assert talk.replies[0] == talk.replies[1]
    assert talk.conversation.records_done == frozenset({2})


@pytest.mark.parametrize("typed", ["DONE", "done", "LISTO", "Listo!", "LISTA", "TENGO"])
def test_done_alone_asks_which(machine, patient: Patient, typed):
    talk = chat(machine, [typed], start=at_ready(patient.language))

    assert talk.keys == ["records_which"]
    assert talk.conversation.records_done == frozenset()
    assert f"{patient.done} 2" in (talk.last or "")


@pytest.mark.parametrize("typed", ["DONE 5", "DONE 0", "DONE 2,9", "LISTO 12345"])
def test_numbers_that_are_not_on_the_list_mark_nothing(machine, typed):
    talk = chat(machine, [typed], start=at_ready(EN))

    assert talk.conversation.records_done == frozenset()
    assert talk.outcome.reply is not None


@pytest.mark.parametrize("step", [Step.DATE, Step.REFERRAL])
def test_the_checklist_works_before_setup_is_finished(machine, patient: Patient, step):
    start = enrolled(patient.language, step)

    talk = chat(machine, [patient.records, f"{patient.done} 1,3"], start=start)

    assert talk.keys == ["records", "records_progress"]
    assert talk.conversation.records_done == frozenset({1, 3})
    assert talk.conversation.step is step


def test_the_checklist_at_the_language_question_goes_on_to_the_next_question(
    machine, patient: Patient
):
    talk = chat(machine, [patient.records], start=enrolled(patient.language, Step.LANGUAGE))

    assert talk.keys == ["records"]
    assert talk.conversation.step is Step.DATE  # the language was settled by the keyword


def test_progress_is_kept_across_a_language_switch(machine):
    talk = chat(machine, ["DONE 1", "ESPAÑOL", "EXPEDIENTE"], start=at_ready(EN))

    assert listed(talk.last, ES) == [2, 3, 4]
