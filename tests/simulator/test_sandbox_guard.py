"""The simulator can never touch production: real settings stop it; it acts on fiction only."""

from __future__ import annotations

import datetime as dt

import pytest
from simkit import TOKEN, open_phone
from sqlalchemy import select

from secondopinion.settings import Settings
from store import people
from store.db import transaction
from store.models import ReminderRow
from webhooks import create_app

REAL_PATIENT = "+447700900123"  # Ofcom keeps it for drama; not a sandbox number


@pytest.mark.parametrize(
    "real",
    [
        {"twilio_auth_token": "a-real-token"},
        {"twilio_account_sid": "AC" + "1" * 32},
        {"public_base_url": "https://so.example.org"},
        {"database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/production"},
    ],
    ids=["auth-token", "account-sid", "public-url", "server-database"],
)
def test_sandbox_mode_refuses_to_start_with_any_real_setting(
    sandbox_settings: Settings, real: dict[str, str]
) -> None:
    with pytest.raises(SystemExit, match="SANDBOX"):
        create_app(sandbox_settings.model_copy(update=real))


def test_the_keypad_cannot_press_keys_on_a_real_patients_reminder_call(phone, sessions) -> None:
    now = dt.datetime.now(dt.UTC)
    with transaction(sessions) as session:  # a real patient, called with a reminder
        person = people.lock_by_phone(session, REAL_PATIENT, now, "Europe/London").id
        row = ReminderRow(
            conversation_id=person, kind="records", key="records:x", due_at=now, status="sent",
            body="Your records", spoken="Your records", channel="call", created_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        reminder = row.id
    url = open_phone(phone)
    path = f"/twilio/voice/reminder/menu?reminder={reminder}&step=reminder&lang=en"
    response = phone.post(f"{url}/call", data={"csrf_token": TOKEN, "key": "2", "next": path})
    assert response.status_code == 400
    with sessions() as session:
        keys = session.scalars(select(ReminderRow.key)).all()
    assert keys == ["records:x"]  # no "texted" reminder for the real patient


def test_simulator_pages_carry_the_security_headers(phone) -> None:
    url = open_phone(phone)
    for page in ("/simulator", url):
        response = phone.get(page)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["Cache-Control"] == "no-store"
