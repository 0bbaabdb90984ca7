"""The simulator's call button drives the real phone menu and shows what would be said."""

from __future__ import annotations

import re

from simkit import TOKEN, open_phone, text


def _keypad_step(page: str) -> str:
    found = re.search(r'name="next" value="([^"]+)"', page)
    assert found, "no keypad on the page"
    return found.group(1).replace("&amp;", "&")


def _press(phone, url: str, **form: str) -> str:  # type: ignore[no-untyped-def]
    """A key on the call page: a post answered by a redirect to the call's page."""
    pressed = phone.post(f"{url}/call", data={"csrf_token": TOKEN, **form})
    assert pressed.status_code == 303 and pressed.headers["Location"].endswith(f"{url}/call")
    shown = phone.get(f"{url}/call")
    assert shown.status_code == 200
    return shown.get_data(as_text=True)


def test_calling_in_spanish_from_the_simulator(phone):
    url = open_phone(phone)
    page = _press(phone, url)
    assert "For English, press 1." in page and "Para español, oprima 2." in page

    menu = _press(phone, url, key="2", next=_keypad_step(page))
    assert "Para saber si su seguro le pide un referido, oprima 3." in menu

    insurance = _press(phone, url, key="3", next=_keypad_step(menu))
    assert "tarjeta del seguro" in insurance


def test_the_call_page_shows_the_last_words_again_without_pressing_anything(phone, sessions):
    url = open_phone(phone)
    menu = _press(phone, url, key="2", next=_keypad_step(_press(phone, url)))
    again = phone.get(f"{url}/call").get_data(as_text=True)  # a reload is a GET
    assert again == menu


def test_a_known_sandbox_number_is_greeted_in_its_language(phone):
    url = open_phone(phone)
    number = "+" + url.rsplit("/", 1)[1]
    text(phone, url, "SEGUNDA")
    page = _press(phone, url)
    assert "Hola, gracias por llamar" in page and number in page


def test_the_keypad_only_posts_to_the_phone_menu(phone):
    url = open_phone(phone)
    response = phone.post(
        f"{url}/call", data={"csrf_token": TOKEN, "key": "1", "next": "/admin/people"}
    )
    assert response.status_code == 400
