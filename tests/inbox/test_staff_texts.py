"""What staff write goes through the reminders' send path: consent and opt-out, quiet
hours (unless the patient just wrote), the shared send rate, and the record of every
message; it lands on the person's timeline."""

from __future__ import annotations

from flask import Flask
from inboxkit import (
    ANA,
    BEA,
    cases_of,
    enrol_english,
    enrol_spanish,
    hours,
    page,
    person_id,
    post,
    staff_texts,
    texts,
)
from sqlalchemy import select

from secondopinion.container import build
from secondopinion.inbox.texts import StaffText, queue
from secondopinion.ratelimit import LocalRateLimiter
from secondopinion.reminders.send import send_reminders
from secondopinion.settings import Settings
from store.db import transaction
from store.models import MessageRow
from store.reminders import CANCELLED, PENDING, SENT
from tests.reminding import NY, at, sweep_and_send
from twilio_double import FakeTwilio
from webhooks import create_app

COMPANION_ES = "Sí, en la mayoría de las clínicas puede ir con un familiar"


def sent_to(fake: FakeTwilio, phone: str) -> list[str]:
    return [m["body"] for m in fake.messages if m["to"] == phone]


def test_a_saved_answer_goes_in_the_patients_language_and_is_recorded(
    inbox_app: Flask, nadia, fake_twilio: FakeTwilio
) -> None:
    enrol_spanish(inbox_app)
    texts(inbox_app, BEA, "¿Puede venir mi hija a la cita?")
    [case] = cases_of(inbox_app, BEA)

    response = post(nadia, f"/admin/inbox/{case.id}/text", saved="answer_companion")

    assert response.status_code == 303
    assert "Sent." in page(nadia, response.headers["Location"])  # what the flash says
    [body] = sent_to(fake_twilio, BEA)
    assert body.startswith(COMPANION_ES)
    [row] = staff_texts(inbox_app, BEA)
    assert (row.status, row.body, row.sid) == (SENT, body, fake_twilio.messages[-1]["sid"])
    [answered] = cases_of(inbox_app, BEA)
    assert answered.assigned_to == "nadia" and answered.last_staff_at is not None
    timeline = page(nadia, f"/admin/people/{case.conversation_id}")
    assert COMPANION_ES in timeline and "saved answer answer_companion" in timeline


def test_a_reply_to_an_opted_out_number_is_refused(
    inbox_app: Flask, nadia, fake_twilio: FakeTwilio
) -> None:
    enrol_english(inbox_app)
    texts(inbox_app, ANA, "who pays for the second opinion?", "STOP")
    person = person_id(inbox_app, ANA)
    before = len(fake_twilio.messages)

    response = post(nadia, f"/admin/people/{person}/text", words="Hi, any news?")

    assert response.status_code == 409
    assert "opted out" in response.get_data(as_text=True)
    assert staff_texts(inbox_app, ANA) == [] and len(fake_twilio.messages) == before
    [case] = cases_of(inbox_app, ANA)
    assert post(nadia, f"/admin/inbox/{case.id}/text", words="Hello").status_code == 409


def test_a_stop_after_the_text_was_queued_cancels_it_before_it_goes(
    inbox_app: Flask, fake_twilio: FakeTwilio
) -> None:
    enrol_english(inbox_app)
    svc = inbox_app.extensions["secondopinion"]
    with transaction(svc.sessions) as session:
        queued = queue(
            session,
            svc.machine,
            person_id(inbox_app, ANA),
            StaffText(words="Hi"),
            "nadia",
            svc.clock(),
        )
    assert isinstance(queued, tuple)
    texts(inbox_app, ANA, "STOP")  # arrives between queueing and sending

    assert send_reminders(svc, [queued[0]]) == ["not-claimed"]  # STOP cancelled it at once
    assert [r.status for r in staff_texts(inbox_app, ANA)] == [CANCELLED]
    assert sent_to(fake_twilio, ANA) == []


def test_quiet_hours_hold_a_text_unless_the_patient_just_wrote(
    inbox_app: Flask, nadia, fake_twilio: FakeTwilio, clock
) -> None:
    enrol_english(inbox_app)
    person = person_id(inbox_app, ANA)
    clock.move_to(at(NY, 2026, 12, 16, 21, 30))
    texts(inbox_app, ANA, "I'm worried about the visit, can someone call me?")
    clock.move_to(at(NY, 2026, 12, 16, 22, 15))  # 45 minutes later: answered at once
    post(nadia, f"/admin/people/{person}/text", saved="answer_call_soon")
    assert len(sent_to(fake_twilio, ANA)) == 1

    clock.move_to(at(NY, 2026, 12, 16, 23, 0))  # 90 minutes after: held for the morning
    response = post(nadia, f"/admin/people/{person}/text", words="Talk tomorrow!")
    assert "Held for quiet hours" in page(nadia, response.headers["Location"])
    held = staff_texts(inbox_app, ANA)[-1]
    assert held.status == PENDING and held.due_at == at(NY, 2026, 12, 17, 9, 0)
    assert len(sent_to(fake_twilio, ANA)) == 1

    clock.move_to(at(NY, 2026, 12, 17, 9, 0))
    sweep_and_send(inbox_app.extensions["secondopinion"])
    assert sent_to(fake_twilio, ANA)[-1] == "Talk tomorrow!"


def test_a_pause_holds_reminders_but_not_what_staff_write(
    inbox_app: Flask, nadia, fake_twilio: FakeTwilio, clock
) -> None:
    enrol_english(inbox_app)
    person = person_id(inbox_app, ANA)
    post(nadia, f"/admin/people/{person}/pause")
    clock.shift(hours(2))
    sweep_and_send(inbox_app.extensions["secondopinion"])
    assert sent_to(fake_twilio, ANA) == []  # the checklist waits for the pause to end

    post(nadia, f"/admin/people/{person}/text", words="Hi, this is Nadia. How are you?")

    assert sent_to(fake_twilio, ANA) == ["Hi, this is Nadia. How are you?"]


def test_staff_texts_take_their_turn_in_the_shared_send_rate(
    sending_settings: Settings, fake_twilio: FakeTwilio, clock
) -> None:
    taken: list[str] = []

    class Counting(LocalRateLimiter):
        def try_acquire(self, key: str) -> bool:
            taken.append(key)
            return super().try_acquire(key)

    settings = sending_settings.model_copy(update={"secret_key": "k"})
    svc = build(settings, limiter=Counting(1000))
    app = create_app(settings, services=svc)
    enrol_english(app)
    with transaction(svc.sessions) as session:
        queued = queue(
            session, svc.machine, person_id(app, ANA), StaffText(words="Hi"), "nadia", svc.clock()
        )
    assert isinstance(queued, tuple)

    assert send_reminders(svc, [queued[0]]) == ["sent"]
    assert taken == [settings.sender_key]
    svc.engine.dispose()


def test_words_are_checked_before_anything_is_queued(inbox_app: Flask, nadia) -> None:
    enrol_english(inbox_app)
    person = person_id(inbox_app, ANA)
    for form, status in (
        ({"words": "   "}, 400),
        ({"words": "x" * 321}, 400),
        ({"saved": "answer_made_up"}, 400),
    ):
        assert post(nadia, f"/admin/people/{person}/text", **form).status_code == status
    assert post(nadia, "/admin/people/999/text", words="Hi").status_code == 404
    assert staff_texts(inbox_app, ANA) == []
    post(nadia, f"/admin/people/{person}/text", words="  Hi\x07 there \x1b\n  ")
    assert [r.body for r in staff_texts(inbox_app, ANA)] == ["Hi there"]


def test_texting_first_opens_a_case_so_the_answer_lands_in_the_inbox(
    inbox_app: Flask, nadia, omar
) -> None:
    enrol_spanish(inbox_app)
    person = person_id(inbox_app, BEA)
    post(nadia, f"/admin/people/{person}/text", saved="answer_checking_in")
    [case] = cases_of(inbox_app, BEA)
    assert (case.opened_by, case.assigned_to) == ("nadia", "nadia")
    assert "needs an answer" not in page(omar, "/admin/inbox")

    texts(inbox_app, BEA, "Bien, ya tengo casi todo")

    assert "needs an answer" in page(omar, "/admin/inbox")
    assert "Bien, ya tengo casi todo" in page(omar, "/admin/inbox")


def test_the_person_page_offers_texting_only_to_those_who_may_get_texts(
    inbox_app: Flask, nadia
) -> None:
    enrol_english(inbox_app)
    person = person_id(inbox_app, ANA)
    assert 'id="text-form"' in page(nadia, f"/admin/people/{person}")
    texts(inbox_app, ANA, "STOP")
    shown = page(nadia, f"/admin/people/{person}")
    assert 'id="text-form"' not in shown and "No texts can be sent" in shown


def test_a_staff_text_is_a_message_on_record(inbox_app: Flask, nadia) -> None:
    enrol_english(inbox_app)
    post(nadia, f"/admin/people/{person_id(inbox_app, ANA)}/text", words="See you Friday")
    with inbox_app.extensions["secondopinion"].sessions() as session:
        row = session.scalars(select(MessageRow).where(MessageRow.body == "See you Friday")).one()
    assert (row.direction, row.key, row.status) == ("out", "reply", "queued")
    assert row.sid is not None
