"""Dashboard sessions end on the server: sign-out, a new password, a removed account, time."""

from __future__ import annotations

import datetime as dt

import time_machine
from adminkit import CSRF, PASSWORD, get, post
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from cli import main
from secondopinion.settings import Settings
from store.db import transaction
from store.staff import add_staff
from webhooks import create_app

START = dt.datetime(2027, 1, 4, 14, 0, tzinfo=dt.UTC)  # ahead: cookies never from the future


def copy_of(app: Flask, signed_in: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie (a stolen or copied one)."""
    thief = app.test_client()
    cookie = signed_in.get_cookie("session", domain="localhost")
    assert cookie is not None
    thief.set_cookie("session", cookie.value, domain="localhost")
    return thief


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    assert post(client, "/admin/login", username="nadia", password=PASSWORD).status_code == 303
    with client.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    return client


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(admin_app, staff):
    thief = copy_of(admin_app, staff)
    assert get(thief, "/admin/people").status_code == 200
    assert post(staff, "/admin/logout").status_code == 303
    assert get(thief, "/admin/people").status_code == 302


def test_a_new_password_ends_every_session(admin_app, staff):
    thief = copy_of(admin_app, staff)
    with transaction(admin_app.extensions["secondopinion"].sessions) as session:
        add_staff(session, "nadia", "a brand new password", dt.datetime.now(dt.UTC))
    assert get(staff, "/admin/people").status_code == 302
    assert get(thief, "/admin/people").status_code == 302


def test_removing_the_account_ends_every_session(admin_app, staff, settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(main, ["staff", "remove", "nadia"])
    assert result.exit_code == 0, result.output
    assert get(staff, "/admin/people").status_code == 302


def test_a_session_ends_after_eight_hours_however_busy(admin_app):
    with time_machine.travel(START, tick=False) as t:
        client = signed_in(admin_app)
        for _ in range(8 * 3):
            assert get(client, "/admin/people").status_code == 200
            t.shift(dt.timedelta(minutes=20))
        assert get(client, "/admin/people").status_code == 302


def test_a_session_ends_after_thirty_idle_minutes(admin_app):
    with time_machine.travel(START, tick=False) as t:
        client = signed_in(admin_app)
        t.shift(dt.timedelta(minutes=29))
        assert get(client, "/admin/people").status_code == 200
        t.shift(dt.timedelta(minutes=31))
        assert get(client, "/admin/people").status_code == 302


def test_the_limits_are_settings(settings: Settings):
    short = {"secret_key": "k", "staff_idle_minutes": 5.0, "staff_session_hours": 1.0}
    app = create_app(settings.model_copy(update=short))
    with transaction(app.extensions["secondopinion"].sessions) as session:
        add_staff(session, "nadia", PASSWORD, START)
    with time_machine.travel(START, tick=False) as t:
        client = signed_in(app)
        t.shift(dt.timedelta(minutes=6))
        assert get(client, "/admin/people").status_code == 302
    app.extensions["secondopinion"].engine.dispose()
