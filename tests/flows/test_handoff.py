"""A question the menu cannot answer opens a case: the patient is told, in their language,
that a person will answer and when, and the step's own question follows so nobody is stuck.
STOP, a carrier refusal or a staff opt-out closes it."""

from __future__ import annotations

import datetime as dt

import pytest
from flowkit import NOW, Patient, at_ready, chat, enrolled, message, opted_out

from flows import Conversation, Language, Machine, Status, Step
from flows.conversation.external import CarrierRefused, StaffAction, StaffChange
from flows.conversation.outcome import CaseChange

QUESTION = {Language.EN: "can my daughter come with me?", Language.ES: "¿puede venir mi hija?"}
SATURDAY = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York


def test_a_question_opens_a_case_and_the_menu_follows(machine, patient: Patient) -> None:
    talk = chat(machine, [QUESTION[patient.language]], start=at_ready(patient.language))

    assert talk.outcome.case is CaseChange.OPEN
    assert talk.last == message("case_today", patient.language)
    assert talk.outcome.then is not None and talk.outcome.then.key == "menu"
    assert talk.conversation == at_ready(patient.language)  # nothing else changes


def test_outside_office_hours_the_reply_names_the_next_business_day(
    machine, patient: Patient
) -> None:
    start = at_ready(patient.language)
    talk = chat(machine, [QUESTION[patient.language]], start=start, now=SATURDAY)

    monday = dt.date(2026, 11, 30)
    assert talk.last == message("case_later", patient.language, date=monday)
    assert ("Monday" if patient.language is Language.EN else "lunes") in (talk.last or "")


@pytest.mark.parametrize(
    ("step", "follows"),
    [
        (Step.DATE, "ask_date"),
        (Step.REFERRAL, "ask_referral"),
        (Step.OUTCOME, "outcome_question"),
    ],
)
def test_the_question_of_the_step_follows_the_case_reply(
    machine: Machine, patient: Patient, step: Step, follows: str
) -> None:
    talk = chat(machine, [QUESTION[patient.language]], start=enrolled(patient.language, step))

    assert talk.keys == ["case_today"]
    assert talk.outcome.then is not None and talk.outcome.then.key == follows
    assert talk.outcome.then.language is patient.language
    assert talk.conversation.step is step


def test_a_date_we_could_not_read_at_the_date_question_is_not_a_case(machine: Machine) -> None:
    talk = chat(machine, ["el martes que viene a las 3"], start=enrolled(Language.ES, Step.DATE))

    assert talk.keys == ["date_unclear"] and talk.outcome.case is None
    asked = chat(machine, ["is tuesday at 3 too late?"], start=enrolled(Language.EN, Step.DATE))
    assert asked.outcome.case is CaseChange.OPEN  # it asks something: a person answers


def test_a_person_whose_visit_is_over_can_still_ask(machine: Machine) -> None:
    done = at_ready(status=Status.COMPLETED)
    assert chat(machine, [QUESTION[Language.EN]], start=done).outcome.case is CaseChange.OPEN


@pytest.mark.parametrize("start", [Conversation(), opted_out()], ids=["never joined", "after STOP"])
def test_no_case_for_someone_outside_the_program(machine: Machine, start: Conversation) -> None:
    talk = chat(machine, [QUESTION[Language.EN]], start=start)

    assert talk.outcome.case is None and talk.outcome.then is None


def test_a_typo_of_a_keyword_gets_the_menu_as_before(machine, patient: Patient) -> None:
    typo = {Language.EN: "RECRODS", Language.ES: "EXPEDINTE"}[patient.language]
    talk = chat(machine, [typo], start=at_ready(patient.language))

    assert talk.keys == ["unknown"] and talk.outcome.case is None


@pytest.mark.parametrize(
    "event",
    [CarrierRefused(21610), CarrierRefused(21614), StaffChange(StaffAction.OPT_OUT, "nadia")],
    ids=["carrier opt-out", "unreachable", "staff opt-out"],
)
def test_texts_ending_closes_the_case(machine: Machine, event) -> None:
    assert machine.step(at_ready(), event, NOW).case is CaseChange.CLOSE


def test_stop_wins_over_a_question_and_closes_the_case(machine, patient: Patient) -> None:
    start = at_ready(patient.language)
    talk = chat(machine, ["STOP, and why do you keep texting me?"], start=start)

    assert talk.conversation.status is Status.OPTED_OUT
    assert talk.outcome.case is CaseChange.CLOSE
    assert chat(machine, ["STOP"], start=opted_out()).outcome.case is None  # already closed
