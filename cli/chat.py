"""Play the patient in a terminal, through the real webhook, database and content."""

from __future__ import annotations

import logging
import secrets
import textwrap
from collections.abc import Callable

from flows.phones import to_e164
from secondopinion.settings import Settings
from twilio_double import Phone, wsgi_transport
from webhooks import create_app

LOCAL_URL = "https://localhost"  # what the local phone signs, and the app checks


def local_phone(settings: Settings, number: str) -> Phone:
    """A phone that texts an app of its own, signed with a private token, in this process."""
    token = secrets.token_hex(16)  # this phone only talks to this app
    app = create_app(
        settings.model_copy(update={"twilio_auth_token": token, "public_base_url": LOCAL_URL})
    )
    return Phone(
        wsgi_transport(app, LOCAL_URL),
        number,
        auth_token=token,
        signed_base_url=LOCAL_URL,
        program_number=settings.twilio_from_number or "+12125550100",
    )


def run_chat(settings: Settings, phone: str, read: Callable[[str], str] = input) -> None:
    number = to_e164(phone)
    if number is None:
        raise SystemExit(f"not a phone number: {phone}")
    local = local_phone(settings, number)
    logging.getLogger().setLevel(logging.WARNING)  # the service's own log would drown the chat
    print(f"Texting the program as {number}. Try SECOND (English) or SEGUNDA (Spanish).")
    print("Ctrl-D or an empty line twice to quit.\n")
    empty = 0
    while True:
        try:
            body = read("you> ")
        except EOFError:
            print()
            return
        empty = empty + 1 if not body.strip() else 0
        if empty >= 2:
            return
        replies = local.text(body)
        for text in replies or ["(no reply)"]:
            print(textwrap.fill(text, width=72, initial_indent="  ", subsequent_indent="  ") + "\n")
