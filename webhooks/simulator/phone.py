"""The simulated phone: texts and delivery reports posted to the webhooks as Twilio posts them."""

from __future__ import annotations

import secrets
from xml.etree import ElementTree

from flask import current_app
from werkzeug.test import TestResponse

from webhooks.services import services
from webhooks.twiml_voice import Turn, read_twiml

LOCAL = "http://localhost"
PROGRAM_NUMBER = "+12125550100"  # fictional, like every number the sandbox uses


def _post(path: str, form: dict[str, str]) -> TestResponse:
    """Sign the form with the service's own token and hand it to the app, in this process."""
    svc = services()
    base = svc.settings.public_base_url.rstrip("/") or LOCAL
    signature = svc.validator.compute_signature(base + path, form)
    client = current_app.test_client()
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}, base_url=LOCAL)


def text(phone: str, body: str) -> list[str]:
    """Send one text from `phone` through POST /twilio/sms; the texts the webhook answers."""
    form = {
        "From": phone,
        "To": services().settings.twilio_from_number or PROGRAM_NUMBER,
        "Body": body,
        "MessageSid": "SM" + secrets.token_hex(16),
        "NumMedia": "0",
    }
    response = _post("/twilio/sms", form)
    if response.status_code != 200:
        raise RuntimeError(f"the SMS webhook answered {response.status_code}")
    root = ElementTree.fromstring(response.get_data(as_text=True))
    return [m.text or "" for m in root.iter("Message")]


def report(phone: str, sid: str, status: str) -> None:
    """A delivery report for a text the sandbox received, through POST /twilio/status."""
    form = {"MessageSid": sid, "MessageStatus": status, "To": phone}
    response = _post("/twilio/status", form)
    if response.status_code != 200:
        raise RuntimeError(f"the status webhook answered {response.status_code}")


def _voice(path: str, phone: str, digits: str | None = None) -> Turn:
    form = {"From": phone, "To": PROGRAM_NUMBER, "CallSid": "CA" + secrets.token_hex(16)}
    if digits is not None:
        form["Digits"] = digits
    response = _post(path, form)
    if response.status_code != 200:
        raise RuntimeError(f"the voice webhook answered {response.status_code}")
    return read_twiml(response.get_data(as_text=True))


def ring(phone: str) -> Turn:
    """Call the program's number from `phone`: the first words of the menu."""
    return _voice("/twilio/voice", phone)


def press(phone: str, next_path: str, digits: str) -> Turn:
    """Press a key: posted to the step the last answer named, as Twilio's Gather does."""
    if not next_path.startswith("/twilio/voice/"):
        raise ValueError("not a step of the phone menu")
    return _voice(next_path, phone, digits)
