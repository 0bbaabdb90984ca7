"""The phone simulator: texts go through the signed webhook, reminders through the worker code."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from simkit import TOKEN, in_future, jump, messages, open_phone, reminders, text
from sqlalchemy import select

from secondopinion.settings import Settings
from store.db import transaction
from store.models import ConversationRow
from store.people import pause
from store.reminders import SENT, claim_due
from webhooks import create_app

PHONE = "+12125550142"


def enrol_in_english(phone, url: str) -> None:  # type: ignore[no-untyped-def]
    text(phone, url, "SECOND")
    text(phone, url, "1")


def test_the_simulator_is_absent_outside_sandbox_mode(settings: Settings):
    app = create_app(settings)
    assert app.test_client().get("/simulator").status_code == 404
    app.extensions["secondopinion"].engine.dispose()


def test_the_picker_opens_a_fictional_number(phone):
    assert phone.get("/simulator").status_code == 200
    url = open_phone(phone, "787", "7")
    assert url.endswith("/simulator/17875550107")
    assert "+17875550107" in phone.get(url).get_data(as_text=True)


@pytest.mark.parametrize("last", ["00", "100", "x"])
def test_the_picker_refuses_numbers_outside_the_fictional_range(phone, last: str):
    response = phone.post("/simulator", data={"area": "212", "last": last, "csrf_token": TOKEN})
    assert response.status_code == 400


def test_a_number_that_was_never_opened_has_no_phone_page(phone):
    assert phone.get("/simulator/12125550199").status_code == 404
    assert phone.get("/simulator/12125551234").status_code == 404


def test_a_form_without_the_csrf_token_is_refused(phone):
    url = open_phone(phone)
    response = phone.post(f"{url}/text", data={"body": "SECOND"})
    assert response.status_code == 400


def test_texting_the_keyword_shows_the_welcome_as_a_bubble(phone, sessions):
    url = open_phone(phone)
    screen = text(phone, url, "SEGUNDA")
    assert "Le damos la bienvenida" in screen
    assert "SEGUNDA" in screen
    sent, answer = messages(sessions, PHONE)
    assert (sent.direction, sent.status) == ("in", "received")
    assert answer.reply_to_id == sent.id


def test_the_next_reminder_arrives_as_a_delivered_bubble(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    screen = jump(phone, url, "next")
    reminder = messages(sessions, PHONE)[-1]
    assert reminder.reply_to_id is None and reminder.sid is not None
    assert reminder.status == "delivered"
    assert "Delivered" in screen and "reminder" in screen
    assert reminders(sessions, PHONE)[0].status == SENT


def test_a_jump_moves_the_clock_of_that_phone_only(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    jump(phone, url, "days", 10)
    text(phone, url, "MENU")
    ahead = messages(sessions, PHONE)[-1].created_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=9, hours=23) < ahead < dt.timedelta(days=10, hours=1)

    other = open_phone(phone, "212", "43")
    text(phone, other, "SECOND")
    behind = messages(sessions, "+12125550143")[-1].created_at - dt.datetime.now(dt.UTC)
    assert abs(behind) < dt.timedelta(minutes=1)


def test_a_long_jump_sends_each_reminder_in_daytime_and_in_turn(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    visit = in_future(12)
    text(phone, url, visit.strftime("%m/%d"))
    text(phone, url, "YES")
    text(phone, url, "NO")  # no referral needed
    jump(phone, url, "days", 16)
    sent = [r for r in reminders(sessions, PHONE) if r.status == SENT]
    kinds = [r.kind for r in sent]
    assert {"checklist", "week_before", "three_days_before", "day_before", "day_after"} <= set(
        kinds
    )
    zone = ZoneInfo("America/New_York")
    for reminder in sent:
        assert reminder.sent_at is not None
        assert dt.time(9) <= reminder.sent_at.astimezone(zone).time() < dt.time(20), reminder.kind
    assert [r.sent_at for r in sent] == sorted(r.sent_at for r in sent if r.sent_at)


def test_the_real_sweep_never_claims_a_sandbox_reminder(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    far = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with transaction(sessions) as session:
        assert claim_due(session, far, 100) == []


def test_a_paused_sandbox_gets_no_reminders_on_a_jump(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    with transaction(sessions) as session:
        row = session.scalar(select(ConversationRow).where(ConversationRow.phone == PHONE))
        assert row is not None
        pause(session, row.id, "tester", dt.datetime.now(dt.UTC))
    jump(phone, url, "days", 3)
    waiting = reminders(sessions, PHONE)
    assert waiting, "enrolling plans reminders"  # so the check below has something to check
    assert all(r.status != SENT for r in waiting)


def test_a_tick_sends_nothing_before_it_is_due(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    response = phone.post(f"{url}/tick", data={"csrf_token": TOKEN})
    assert response.status_code == 303
    waiting = reminders(sessions, PHONE)
    assert waiting, "enrolling plans reminders"
    assert all(r.status != SENT for r in waiting)


def test_a_text_after_a_jump_comes_after_the_reminder_it_answers(phone, sessions):
    url = open_phone(phone)
    enrol_in_english(phone, url)
    jump(phone, url, "next")
    text(phone, url, "DONE 1")
    bodies = [m.body for m in messages(sessions, PHONE)]
    assert bodies[-3].startswith("Second Opinion Prep:") and bodies[-2] == "DONE 1"


def test_the_bare_address_leads_to_the_simulator(phone):
    response = phone.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/simulator")
