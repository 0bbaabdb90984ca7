"""Play the patient in a terminal, through the real webhook, database and content."""

from __future__ import annotations

import logging
import secrets
import textwrap
from collections.abc import Callable

from flask import Flask
from twilio.request_validator import RequestValidator

from flows.phones import to_e164
from secondopinion.settings import Settings
from webhooks import create_app

SMS_PATH = "/twilio/sms"
LOCAL_URL = "http://localhost"


class LocalPhone:
    """Sends texts to the app as Twilio would, signed, and returns what the app answers."""

    def __init__(self, settings: Settings, phone: str) -> None:
        token = secrets.token_hex(16)  # a private token: this phone only talks to this app
        self.settings = settings.model_copy(
            update={"twilio_auth_token": token, "public_base_url": ""}
        )
        self.app: Flask = create_app(self.settings)
        self.client = self.app.test_client()
        self.validator = RequestValidator(token)
        self.phone = phone

    def send(self, body: str) -> list[str]:
        form = {
            "From": self.phone,
            "To": self.settings.twilio_from_number or "+12125550100",
            "Body": body,
            "MessageSid": "SM" + secrets.token_hex(16),
            "NumMedia": "0",
        }
        signature = self.validator.compute_signature(LOCAL_URL + SMS_PATH, form)
        response = self.client.post(
            SMS_PATH, data=form, headers={"X-Twilio-Signature": signature}, base_url=LOCAL_URL
        )
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}")
        return _messages(response.get_data(as_text=True))


def _messages(twiml: str) -> list[str]:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(twiml)
    return [m.text or "" for m in root.iter("Message")]


def run_chat(settings: Settings, phone: str, read: Callable[[str], str] = input) -> None:
    number = to_e164(phone)
    if number is None:
        raise SystemExit(f"not a phone number: {phone}")
    local = LocalPhone(settings, number)
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
        replies = local.send(body)
        for text in replies or ["(no reply)"]:
            print(textwrap.fill(text, width=72, initial_indent="  ", subsequent_indent="  ") + "\n")
