"""Play a caller in a terminal: the real voice webhooks, signed, with the keypad typed in."""

from __future__ import annotations

import logging
import secrets
import textwrap
from collections.abc import Callable, Iterator

from flask import Flask
from twilio.request_validator import RequestValidator

from flows.phones import to_e164
from secondopinion.settings import Settings
from webhooks import create_app
from webhooks.twiml_voice import Turn, read_twiml

LOCAL_URL = "http://localhost"


class LocalCall:
    """Posts to the voice webhooks as Twilio would, and follows the Gather actions."""

    def __init__(self, settings: Settings, phone: str) -> None:
        token = secrets.token_hex(16)
        changes = {"twilio_auth_token": token, "public_base_url": ""}
        self.app: Flask = create_app(settings.model_copy(update=changes))
        self.client = self.app.test_client()
        self.validator = RequestValidator(token)
        self.phone = phone
        self.sid = "CA" + secrets.token_hex(16)

    def _post(self, path: str, **extra: str) -> Turn:
        form = {"From": self.phone, "To": "+12125550100", "CallSid": self.sid, **extra}
        signature = self.validator.compute_signature(LOCAL_URL + path, form)
        response = self.client.post(
            path, data=form, headers={"X-Twilio-Signature": signature}, base_url=LOCAL_URL
        )
        if response.status_code != 200:
            raise RuntimeError(f"voice webhook answered {response.status_code}")
        return read_twiml(response.get_data(as_text=True))

    def ring(self) -> Turn:
        return self._post("/twilio/voice")

    def press(self, turn: Turn, digits: str) -> Turn:
        if turn.next_path is None:
            raise RuntimeError("the call has ended")
        return self._post(turn.next_path, Digits=digits)


def transcript(settings: Settings, phone: str, keys: str) -> Iterator[str]:
    """Lines of a call where the caller presses `keys` in turn ('-' presses nothing)."""
    call = LocalCall(settings, phone)
    turn = call.ring()
    for key in [*keys, None]:
        for language, words in turn.said:
            yield f"[{language}] {words}"
        if turn.dialled:
            yield f"(connects to {turn.dialled})"
        if turn.next_path is None or key is None:
            break
        yield f"(presses {key})" if key != "-" else "(presses nothing)"
        turn = call.press(turn, "" if key == "-" else key)
    if turn.next_path is None:
        yield "(hangs up)"


def run_call(settings: Settings, phone: str, read: Callable[[str], str] = input) -> None:
    number = to_e164(phone)
    if number is None:
        raise SystemExit(f"not a phone number: {phone}")
    logging.getLogger().setLevel(logging.WARNING)
    call = LocalCall(settings, number)
    turn = call.ring()
    while True:
        for language, words in turn.said:
            print(textwrap.fill(f"[{language}] {words}", width=76, subsequent_indent="  "))
        if turn.dialled:
            print(f"(connects to {turn.dialled})")
        if turn.next_path is None:
            print("(the call has ended)")
            return
        try:
            key = read("keypad> ").strip()[:1]
        except EOFError:
            return
        turn = call.press(turn, key)
