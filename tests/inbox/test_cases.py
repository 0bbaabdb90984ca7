"""A patient's question opens a case: they hear when a person will answer and the menu
follows; later texts go to the case and through the flow; STOP closes it; staff assign
and close it, each action logged."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from inboxkit import (
    ANA,
    BEA,
    cases_of,
    enrol_english,
    enrol_spanish,
    hours,
    page,
    post,
    sign_in,
    texts,
)
from sqlalchemy import select

from store.models import StaffActionRow
from tests.builders import phone, status_callback
from tests.reminding import sweep_and_send
from twilio_double import FakeTwilio

QUESTION_ES = "¿Puede venir mi hija a la cita?"


def actions(app: Flask) -> list[tuple[str, str]]:
    with app.extensions["secondopinion"].sessions() as session:
        rows = session.scalars(select(StaffActionRow).order_by(StaffActionRow.id))
        return [(a.username, a.action) for a in rows]


def test_a_spanish_question_opens_a_case_and_the_menu_follows(inbox_app, nadia) -> None:
    enrol_spanish(inbox_app)
    [answer] = texts(inbox_app, BEA, QUESTION_ES)

    told, menu = answer
    assert "una persona de nuestro equipo" in told and "hoy" in told
    assert menu.startswith("Responda EXPEDIENTE")
    [case] = cases_of(inbox_app, BEA)
    assert case.status == "open" and case.opened_by == "patient" and case.assigned_to is None
    inbox = page(nadia, "/admin/inbox")
    assert QUESTION_ES in inbox and "+1•••0152" in inbox and BEA not in inbox
    assert "needs an answer" in inbox and ">Spanish<" in inbox and ">All set<" in inbox
    assert "Inbox (1)" in inbox


def test_later_texts_go_to_the_case_and_through_the_flow(inbox_app, nadia, clock) -> None:
    enrol_english(inbox_app)
    texts(inbox_app, ANA, "my insurance said no, what now?")
    clock.shift(hours(2))
    [[records]] = texts(inbox_app, ANA, "RECORDS")
    texts(inbox_app, ANA, "also can my daughter come?")

    assert records.startswith("The doctor giving your second opinion")  # the flow answered
    [case] = cases_of(inbox_app, ANA)  # still the one case
    assert case.last_patient_at is not None and case.last_patient_at > case.opened_at
    thread = page(nadia, f"/admin/inbox/{case.id}")
    for said in ("my insurance said no", "RECORDS", "also can my daughter come?"):
        assert said in thread


def test_stop_during_an_open_case_closes_it_and_still_confirms(inbox_app, nadia) -> None:
    enrol_english(inbox_app)
    texts(inbox_app, ANA, "who do I talk to about my slides?")
    [[confirmed]] = texts(inbox_app, ANA, "STOP")

    assert "unsubscribed" in confirmed
    [case] = cases_of(inbox_app, ANA)
    assert (case.status, case.closed_by, case.close_reason) == ("closed", "patient", "stopped")
    assert "No open cases." in page(nadia, "/admin/inbox")
    assert "closed by patient (stopped)" in page(nadia, f"/admin/people/{case.conversation_id}")


def test_a_carrier_refusal_closes_the_case_too(inbox_app, fake_twilio: FakeTwilio, clock) -> None:
    enrol_english(inbox_app)
    texts(inbox_app, ANA, "is there parking at the clinic?")
    clock.shift(hours(1))
    sweep_and_send(inbox_app.extensions["secondopinion"])  # the records checklist goes out
    [sent] = [m for m in fake_twilio.messages if m["to"] == ANA]
    status_callback(inbox_app.test_client(), sent["sid"], "undelivered", "21610", to=ANA)

    [case] = cases_of(inbox_app, ANA)
    assert (case.status, case.closed_by) == ("closed", "carrier")


def test_a_redelivered_question_answers_the_same_and_opens_no_second_case(inbox_app) -> None:
    enrol_english(inbox_app)
    patient = phone(inbox_app.test_client(), ANA)
    first = patient.text("can I bring my husband?", sid="SM" + "7" * 32)
    again = patient.text("can I bring my husband?", sid="SM" + "7" * 32)

    assert first == again and len(first) == 2
    assert len(cases_of(inbox_app, ANA)) == 1


def test_a_second_question_joins_the_open_case_and_after_closing_a_new_one_opens(
    inbox_app, nadia
) -> None:
    enrol_english(inbox_app)
    texts(inbox_app, ANA, "what should I ask the doctor?")
    texts(inbox_app, ANA, "and how long will the visit take?")
    [case] = cases_of(inbox_app, ANA)
    post(nadia, f"/admin/inbox/{case.id}/close")
    texts(inbox_app, ANA, "one more thing, where do I park?")

    assert [c.status for c in cases_of(inbox_app, ANA)] == ["closed", "open"]


def test_assign_to_me_then_close_each_logged(inbox_app, nadia: FlaskClient, omar) -> None:
    enrol_english(inbox_app)
    texts(inbox_app, ANA, "my doctor won't give me my slides")
    [case] = cases_of(inbox_app, ANA)

    assert post(nadia, f"/admin/inbox/{case.id}/assign").status_code == 303
    assert "nadia" in page(omar, "/admin/inbox")
    assert post(omar, f"/admin/inbox/{case.id}/close").status_code == 303
    assert post(nadia, f"/admin/inbox/{case.id}/close").status_code == 409  # closed already
    assert post(nadia, f"/admin/inbox/{case.id}/assign").status_code == 409
    assert actions(inbox_app) == [("nadia", "case-assign"), ("omar", "case-close")]
    [closed] = cases_of(inbox_app, ANA)
    assert (closed.status, closed.closed_by, closed.close_reason) == ("closed", "omar", "done")


def test_unknown_cases_and_actions_are_404_and_the_inbox_needs_a_sign_in(inbox_app) -> None:
    guest = inbox_app.test_client()
    assert guest.get("/admin/inbox", base_url="https://localhost").status_code == 302
    nadia = sign_in(inbox_app, "nadia")
    assert post(nadia, "/admin/inbox/999/close").status_code == 404
    assert post(nadia, "/admin/inbox/999/dance").status_code == 404
    assert nadia.get("/admin/inbox/999", base_url="https://localhost").status_code == 404
