"""The day after the visit: did it happen? The answer is the conversation's outcome; "it
moved" asks for the new date and the plan moves with it; a missing answer is asked once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flowkit import NOW, Patient, at_ready, chat, message

from flows import Conversation, Language, Machine, Status, Step
from flows.conversation.state import VisitOutcome
from flows.reminders.compose import ReminderDue

VISIT = dt.date(2026, 11, 24)  # the day before NOW
MOVED = {Language.EN: "MOVED", Language.ES: "CAMBIÓ"}


def asked(machine: Machine, language: Language = Language.EN) -> Conversation:
    """Someone whose visit was yesterday, just asked the day-after question."""
    before = at_ready(language, appointment=VISIT, enrolled_at=NOW - dt.timedelta(days=20))
    outcome = machine.step(before, ReminderDue("day_after"), NOW)
    assert outcome.reply is not None and outcome.reply.key == "reminder_day_after"
    return outcome.conversation


def test_the_day_after_asks_and_waits_for_the_answer(machine, patient: Patient) -> None:
    start = asked(machine, patient.language)
    assert start.step is Step.OUTCOME and start.status is Status.ACTIVE
    assert patient.yes in message("reminder_day_after", patient.language)


@pytest.mark.parametrize(
    ("answer", "outcome", "status", "key"),
    [
        ("yes", VisitOutcome.HAPPENED, Status.COMPLETED, "outcome_yes"),
        ("no", VisitOutcome.DID_NOT, Status.COMPLETED, "outcome_no"),
        ("not_yet", VisitOutcome.NOT_YET, Status.ACTIVE, "outcome_not_yet"),
    ],
)
def test_each_answer_is_recorded_as_the_outcome(
    machine, patient: Patient, answer, outcome, status, key
) -> None:
    talk = chat(machine, [getattr(patient, answer)], start=asked(machine, patient.language))

    assert talk.keys == [key]
    assert talk.conversation.visit_outcome is outcome
    assert talk.conversation.status is status


def test_yes_completes_and_clears_the_plan(machine, patient: Patient) -> None:
    talk = chat(machine, [patient.yes], start=asked(machine, patient.language))

    assert talk.outcome.reminders.plan == ()  # the one reminder for no answer is cancelled


def test_it_moved_asks_for_the_new_date_and_the_plan_moves(machine, patient: Patient) -> None:
    new_visit = dt.date(2026, 12, 10)
    texts = [MOVED[patient.language], new_visit.strftime("%m/%d"), patient.yes]
    talk = chat(machine, texts, start=asked(machine, patient.language))

    assert talk.keys == ["outcome_moved", "confirm_date", "date_saved"]
    assert talk.outcomes[0].conversation.step is Step.DATE
    assert talk.conversation.appointment == new_visit
    assert talk.conversation.visit_outcome is VisitOutcome.MOVED
    plan = talk.outcome.reminders.plan or ()
    assert {p.kind for p in plan} >= {"week_before", "day_before", "day_after", "visit_check"}
    assert all(new_visit.isoformat() in p.key for p in plan if p.kind == "day_after")


def test_a_new_date_typed_instead_of_moved_is_taken_as_the_new_date(machine: Machine) -> None:
    talk = chat(machine, ["12/10"], start=asked(machine))

    assert talk.keys == ["confirm_date"]
    assert talk.conversation.visit_outcome is VisitOutcome.MOVED


@pytest.mark.parametrize("typed", ["me la cambiaron", "La pospusieron", "se pospuso"])
def test_it_moved_in_everyday_spanish(machine: Machine, typed: str) -> None:
    talk = chat(machine, [typed], start=asked(machine, Language.ES))

    assert talk.keys == ["outcome_moved"]
    assert talk.conversation.visit_outcome is VisitOutcome.MOVED


def test_not_yet_asks_again_in_a_few_days(machine: Machine) -> None:
    talk = chat(machine, ["NOT YET"], start=asked(machine))

    assert talk.conversation.appointment is None and talk.conversation.date_deferred
    assert [p.kind for p in talk.outcome.reminders.plan or ()][:1] == ["date_again"]


def test_an_unclear_answer_asks_the_question_again(machine, patient: Patient) -> None:
    talk = chat(machine, ["purple"], start=asked(machine, patient.language))

    assert talk.keys == ["outcome_unclear"] and talk.conversation.step is Step.OUTCOME


def test_a_missing_answer_gets_one_reminder_then_the_conversation_completes(
    machine: Machine,
) -> None:
    later = NOW + dt.timedelta(days=2)
    check = machine.step(asked(machine), ReminderDue("visit_check"), later)

    assert check.reply is not None and check.reply.key == "reminder_visit_check"
    assert check.conversation.status is Status.COMPLETED
    assert check.reminders.plan == ()
    late = chat(machine, ["YES"], start=check.conversation)  # a late answer still counts
    assert late.conversation.visit_outcome is VisitOutcome.HAPPENED


def test_no_reminder_for_someone_who_answered(machine: Machine) -> None:
    moved_on = dataclasses.replace(asked(machine), step=Step.READY)
    assert machine.step(moved_on, ReminderDue("visit_check"), NOW).reply is None


def test_a_new_date_brings_a_completed_person_back_onto_the_plan(machine: Machine) -> None:
    done = chat(machine, ["NO"], start=asked(machine)).conversation
    talk = chat(machine, ["DATE", "12/20", "YES"], start=done)

    assert talk.conversation.status is Status.ACTIVE
    assert talk.outcome.reminders.plan
