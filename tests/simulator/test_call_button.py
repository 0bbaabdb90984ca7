"""The simulator's call button drives the real phone menu and shows what would be said."""

from __future__ import annotations

import re

from simkit import TOKEN, open_phone, text


def _keypad_step(page: str) -> str:
    found = re.search(r'name="next" value="([^"]+)"', page)
    assert found, "no keypad on the page"
    return found.group(1).replace("&amp;", "&")


def test_calling_in_spanish_from_the_simulator(phone):
    url = open_phone(phone)
    ringing = phone.post(f"{url}/call", data={"csrf_token": TOKEN})
    page = ringing.get_data(as_text=True)
    assert ringing.status_code == 200
    assert "For English, press 1." in page and "Para español, oprima 2." in page

    menu = phone.post(
        f"{url}/call", data={"csrf_token": TOKEN, "key": "2", "next": _keypad_step(page)}
    ).get_data(as_text=True)
    assert "Para saber si su seguro le pide un referido, oprima 3." in menu

    insurance = phone.post(
        f"{url}/call", data={"csrf_token": TOKEN, "key": "3", "next": _keypad_step(menu)}
    ).get_data(as_text=True)
    assert "tarjeta del seguro" in insurance


def test_a_known_sandbox_number_is_greeted_in_its_language(phone):
    url = open_phone(phone)
    number = "+" + url.rsplit("/", 1)[1]
    text(phone, url, "SEGUNDA")
    page = phone.post(f"{url}/call", data={"csrf_token": TOKEN}).get_data(as_text=True)
    assert "Hola, gracias por llamar" in page and number in page


def test_the_keypad_only_posts_to_the_phone_menu(phone):
    url = open_phone(phone)
    response = phone.post(
        f"{url}/call", data={"csrf_token": TOKEN, "key": "1", "next": "/admin/people"}
    )
    assert response.status_code == 400
