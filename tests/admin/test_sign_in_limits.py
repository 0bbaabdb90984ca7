"""Sign-in limits that reveal no account names and cannot keep the real user out for long."""

from __future__ import annotations

import datetime as dt

import time_machine
from adminkit import CSRF, PASSWORD

from secondopinion.sign_in import ADDRESS_FAILURES, FREE_TRIES, MAX_WAIT

GUESSER, NADIA_DESK = "203.0.113.7", "198.51.100.20"  # documentation addresses


def attempt(client, name: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/login",
        data={"csrf_token": CSRF, "username": name, "password": password},
        base_url="https://localhost",
        environ_base={"REMOTE_ADDR": address},
    )


def browser(admin_app):  # type: ignore[no-untyped-def]
    """A browser that loaded the login form (made inside a moved clock, so its cookie is fresh)."""
    client = admin_app.test_client()
    with client.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    return client


def answers(client, name: str, tries: int) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Each answer, with the name as typed (kept in the form) taken out."""
    found = []
    for _ in range(tries):
        response = attempt(client, name, "a wrong guess", GUESSER)
        found.append((response.status_code, response.get_data(as_text=True).replace(name, "")))
    return found


def test_a_real_name_and_an_unknown_one_get_the_very_same_answers(admin_app):
    with time_machine.travel(dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC), tick=False):
        guest = browser(admin_app)
        real, unknown = (
            answers(guest, "nadia", FREE_TRIES + 3),
            answers(guest, "nobody", FREE_TRIES + 3),
        )
    assert real == unknown
    assert {status for status, _ in real} == {401}


def test_a_refusal_says_how_many_tries_are_left_then_how_long_to_wait(admin_app):
    with time_machine.travel(dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC), tick=False):
        guest = browser(admin_app)
        said = [page for _, page in answers(guest, "nadia", FREE_TRIES + 1)]
    assert f"{FREE_TRIES - 1} more tries before a short wait" in said[0]
    assert "1 more try before a short wait" in said[FREE_TRIES - 2]
    assert "Wait 1 second, then try again" in said[FREE_TRIES - 1]  # the first wait
    assert "too many tries with this name" in said[FREE_TRIES]


def test_the_name_typed_stays_in_the_form_and_no_command_line_is_shown(guest):
    page = attempt(guest, "Nadia", "a wrong guess", GUESSER).get_data(as_text=True)
    assert 'value="Nadia"' in page
    assert "secondopinion staff" not in page and "<code>" not in page


def test_a_guesser_elsewhere_never_keeps_the_real_user_out(guest, admin_app):
    answers(guest, "nadia", FREE_TRIES + 5)
    nadia = browser(admin_app)
    assert attempt(nadia, "nadia", PASSWORD, NADIA_DESK).status_code == 303


def test_after_the_free_tries_the_same_address_waits_and_the_wait_is_bounded(admin_app):
    with time_machine.travel(dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC), tick=False) as t:
        guest = browser(admin_app)
        answers(guest, "nadia", FREE_TRIES)
        assert attempt(guest, "nadia", PASSWORD, GUESSER).status_code == 401  # must wait
        t.shift(dt.timedelta(seconds=2))
        assert attempt(guest, "nadia", PASSWORD, GUESSER).status_code == 303
    with time_machine.travel(dt.datetime(2027, 1, 5, 15, 0, tzinfo=dt.UTC), tick=False) as t:
        guest = browser(admin_app)
        answers(guest, "nadia", FREE_TRIES + 20)  # as many as the address may make
        t.shift(MAX_WAIT + dt.timedelta(seconds=1))
        assert attempt(guest, "nadia", PASSWORD, GUESSER).status_code == 303


def test_one_address_trying_many_names_is_stopped(admin_app):
    with time_machine.travel(dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC), tick=False):
        guest = browser(admin_app)
        for n in range(ADDRESS_FAILURES):
            attempt(guest, f"user{n}", "a wrong guess", GUESSER)
        assert attempt(guest, "nadia", PASSWORD, GUESSER).status_code == 401
