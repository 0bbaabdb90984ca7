"""Signing in: hashed passwords, CSRF on the form, one answer for every refusal."""

from __future__ import annotations

from adminkit import CSRF, PASSWORD, get, post
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from cli import main
from secondopinion.settings import Settings
from store.staff import StaffUserRow
from webhooks import create_app


def test_pages_send_a_stranger_to_the_login(guest):
    response = get(guest, "/admin/people")
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_the_right_password_signs_in_and_lands_on_people(guest):
    response = post(guest, "/admin/login", username=" NADIA ", password=PASSWORD)
    assert response.status_code == 303
    assert get(guest, "/admin/people").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(guest):
    wrong = post(guest, "/admin/login", username="nadia", password="not it at all")
    unknown = post(guest, "/admin/login", username="nobody", password=PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    assert "do not match" in unknown.get_data(as_text=True)


def test_the_login_form_needs_its_csrf_token(admin_app: Flask):
    client = admin_app.test_client()
    response = client.post(
        "/admin/login",
        data={"username": "nadia", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 400


def test_every_staff_form_needs_the_csrf_token(staff):
    response = staff.post("/admin/logout", base_url="https://localhost")
    assert response.status_code == 400
    assert post(staff, "/admin/logout").status_code == 303
    assert get(staff, "/admin/people").status_code == 302  # signed out


def test_the_dashboard_is_closed_without_a_secret_key(settings: Settings):
    app = create_app(settings)
    assert app.test_client().get("/admin/login").status_code == 503
    app.extensions["secondopinion"].engine.dispose()


def test_staff_add_stores_a_hash_never_the_password(settings: Settings, monkeypatch, admin_app):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(main, ["staff", "add", "Omar"], input=f"{PASSWORD}!\n{PASSWORD}!\n")
    assert result.exit_code == 0, result.output
    with admin_app.extensions["secondopinion"].sessions() as session:
        row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == "omar"))
    assert row is not None and PASSWORD not in row.password_hash
    assert row.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_staff_add_refuses_a_short_password(settings: Settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(main, ["staff", "add", "omar"], input="short\nshort\n")
    assert result.exit_code != 0
    assert CSRF not in result.output
