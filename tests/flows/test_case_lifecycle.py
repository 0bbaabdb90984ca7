"""A case's life, pure: opened, the patient writes again, assigned, answered, closed."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.inbox.case import (
    PATIENT,
    CaseClosed,
    CaseStatus,
    CloseReason,
    assigned,
    closed,
    opened,
    patient_wrote,
    staff_wrote,
)

T0 = dt.datetime(2026, 12, 16, 15, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_a_patients_question_opens_a_case_that_waits_for_staff() -> None:
    case = opened(T0)
    assert case.is_open and case.opened_by == PATIENT and case.assigned_to is None
    assert case.awaiting_staff and case.age(T0 + HOUR) == HOUR


def test_an_answer_takes_an_unassigned_case_and_stops_the_wait() -> None:
    answered = staff_wrote(opened(T0), "nadia", T0 + HOUR)
    assert answered.assigned_to == "nadia" and not answered.awaiting_staff
    again = patient_wrote(answered, T0 + 2 * HOUR)
    assert again.awaiting_staff  # the patient wrote back: an answer is owed again
    by_other = staff_wrote(assigned(again, "omar"), "nadia", T0 + 3 * HOUR)
    assert by_other.assigned_to == "omar"  # answering someone else's case does not take it


def test_staff_who_text_first_open_a_case_of_their_own() -> None:
    case = opened(T0, by="nadia")
    assert case.opened_by == "nadia" and case.assigned_to == "nadia"
    assert not case.awaiting_staff


def test_closing_is_once_and_a_closed_case_takes_no_more_work() -> None:
    done = closed(opened(T0), "nadia", CloseReason.DONE, T0 + HOUR)
    assert done.status is CaseStatus.CLOSED and done.closed_by == "nadia"
    assert closed(done, "omar", CloseReason.STOPPED, T0 + 2 * HOUR) == done
    assert patient_wrote(done, T0 + 2 * HOUR) == done
    with pytest.raises(CaseClosed):
        assigned(done, "omar")
    with pytest.raises(CaseClosed):
        staff_wrote(done, "omar", T0 + 2 * HOUR)


def test_a_case_is_overdue_only_while_open_and_past_the_limit() -> None:
    limit = dt.timedelta(hours=24)
    case = opened(T0)
    assert not case.overdue(T0 + limit, limit)
    assert case.overdue(T0 + limit + HOUR, limit)
    assert not closed(case, "nadia", CloseReason.DONE, T0).overdue(T0 + 2 * limit, limit)
