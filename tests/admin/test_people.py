"""People, a person's timeline, and what staff can do: pause, resume, zone, opt out, erase."""

from __future__ import annotations

import datetime as dt

from adminkit import ANA, BEN, enrol, get, post
from flask import Flask
from sqlalchemy import func, select

from store.db import transaction
from store.models import ConsentEventRow, ConversationRow, MessageRow, ReminderRow
from store.reminders import PENDING, claim_due


def count(admin_app: Flask, model, **where) -> int:  # type: ignore[no-untyped-def]
    with admin_app.extensions["secondopinion"].sessions() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return session.scalar(query) or 0


def claimable(admin_app: Flask) -> list[int]:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)
    with transaction(admin_app.extensions["secondopinion"].sessions) as session:
        ids = claim_due(session, later, 100)
        session.rollback()
    return ids


def test_people_shows_masked_numbers_and_searches_by_last_digits(admin_app, staff):
    enrol(admin_app, ANA)
    enrol(admin_app, BEN, "SEGUNDA", "2")
    page = get(staff, "/admin/people").get_data(as_text=True)
    assert "+1•••0131" in page and "+1•••0132" in page
    assert ANA not in page and "5550131" not in page
    found = get(staff, "/admin/people?last4=0132").get_data(as_text=True)
    assert "+1•••0132" in found and "+1•••0131" not in found
    spanish = get(staff, "/admin/people?language=es").get_data(as_text=True)
    assert "+1•••0132" in spanish and "+1•••0131" not in spanish


def test_the_timeline_shows_messages_consent_and_reminders(admin_app, staff):
    person = enrol(admin_app, ANA)
    page = get(staff, f"/admin/people/{person}").get_data(as_text=True)
    assert "SECOND" in page  # the text the person sent
    assert "opt_in by sms" in page
    assert "Records checklist" in page and "Waiting to go" in page  # in words, not code names


def test_pause_keeps_the_sweep_away_and_resume_brings_it_back(admin_app, staff):
    person = enrol(admin_app, ANA)
    assert claimable(admin_app)
    response = post(staff, f"/admin/people/{person}/pause")
    assert response.status_code == 303
    assert claimable(admin_app) == []
    page = get(staff, f"/admin/people/{person}").get_data(as_text=True)
    assert "reminders paused" in page and "pause by nadia" in page
    post(staff, f"/admin/people/{person}/resume")
    assert claimable(admin_app)


def test_changing_the_time_zone_moves_the_pending_reminders(admin_app, staff):
    person = enrol(admin_app, ANA)
    post(staff, f"/admin/people/{person}/timezone", timezone="Pacific/Honolulu")
    with admin_app.extensions["secondopinion"].sessions() as session:
        row = session.get(ConversationRow, person)
        assert row is not None and row.timezone == "Pacific/Honolulu"
    assert post(staff, f"/admin/people/{person}/timezone", timezone="Mars/Base").status_code == 400


def test_opting_out_ends_reminders_and_writes_the_ledger(admin_app, staff):
    person = enrol(admin_app, ANA)
    post(staff, f"/admin/people/{person}/opt-out")
    assert count(admin_app, ReminderRow, conversation_id=person, status=PENDING) == 0
    ledger = count(admin_app, ConsentEventRow, conversation_id=person, channel="staff")
    assert ledger == 1


def test_erasing_keeps_only_the_consent_record(admin_app, staff):
    person = enrol(admin_app, ANA)
    assert post(staff, f"/admin/people/{person}/erase").status_code == 400  # not confirmed
    done = post(staff, f"/admin/people/{person}/erase", confirm="erase")
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/people")
    assert count(admin_app, ConversationRow, id=person) == 0
    assert count(admin_app, MessageRow, conversation_id=person) == 0
    assert count(admin_app, ReminderRow, conversation_id=person) == 0
    assert count(admin_app, ConsentEventRow, phone=ANA, kind="opt_in") == 1
    assert count(admin_app, ConsentEventRow, phone=ANA, kind="opt_out", channel="staff") == 1
    assert count(admin_app, ConsentEventRow, conversation_id=person) == 0  # unlinked
    assert get(staff, f"/admin/people/{person}").status_code == 404


def test_actions_need_a_signed_in_staff_member(admin_app, guest):
    person = enrol(admin_app, ANA)
    assert post(guest, f"/admin/people/{person}/pause").status_code == 302
    assert claimable(admin_app)
