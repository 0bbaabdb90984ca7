"""A staff member changes their own password: the current one first, every other session ends."""

from __future__ import annotations

import datetime as dt

import time_machine
from adminkit import PASSWORD, get, post
from test_sessions import START, signed_in

NEW = "a brand new passphrase"


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(admin_app):
    with time_machine.travel(START, tick=False):
        desk, phone = signed_in(admin_app), signed_in(admin_app)
        changed = post(desk, "/admin/account", current=PASSWORD, new_password=NEW, again=NEW)
        assert changed.status_code == 303
        assert get(desk, "/admin/people").status_code == 200  # this browser stays in
        assert get(phone, "/admin/people").status_code == 302  # the other one is out
        audit = get(desk, "/admin/audit.csv").get_data(as_text=True)
        assert "password changed" in audit
        desk_again = admin_app.test_client()
        with desk_again.session_transaction(base_url="https://localhost") as session:
            session["csrf_token"] = "test-csrf-token"
        assert post(desk_again, "/admin/login", username="nadia", password=NEW).status_code == 303


def test_a_wrong_current_password_or_a_short_new_one_changes_nothing(admin_app):
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        desk, phone = signed_in(admin_app), signed_in(admin_app)
        wrong = post(desk, "/admin/account", current="not it", new_password=NEW, again=NEW)
        assert wrong.status_code == 400 and "password do not match" in wrong.get_data(as_text=True)
        short = post(desk, "/admin/account", current=PASSWORD, new_password="short", again="short")
        assert short.status_code == 400 and "10 to 200 characters" in short.get_data(as_text=True)
        differ = post(desk, "/admin/account", current=PASSWORD, new_password=NEW, again=NEW + "!")
        assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
        assert get(phone, "/admin/people").status_code == 200  # nothing ended
