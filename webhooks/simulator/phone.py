"""The simulated phone: texts, calls and delivery reports posted to this app as Twilio would.

Signed with the service's own token and handed to the app in this process, through the
same phone client the tests and the terminal commands use (twilio_double).
"""

from __future__ import annotations

from flask import current_app

from twilio_double import Phone, Turn, wsgi_transport
from webhooks.current import services

LOCAL = "http://localhost"
PROGRAM_NUMBER = "+12125550100"  # fictional, like every number the sandbox uses
ATTESTED = "TN-Validation-Passed-A"
MENU_PATH = "/twilio/voice/menu"  # the phone menu's steps, the only posts the keypad makes


def _phone(number: str) -> Phone:
    settings = services().settings
    return Phone(
        wsgi_transport(current_app, LOCAL),
        number,
        auth_token=settings.twilio_auth_token,
        signed_base_url=settings.public_base_url.rstrip("/") or LOCAL,
        program_number=settings.twilio_from_number or PROGRAM_NUMBER,
    )


def text(number: str, body: str) -> list[str]:
    """Send one text from `number` through POST /twilio/sms; the texts the webhook answers."""
    return _phone(number).text(body)


def report(number: str, sid: str, status: str) -> None:
    """A delivery report for a text the sandbox received, through POST /twilio/status."""
    _phone(number).report(sid, status)


def ring(number: str) -> Turn:
    """Call the program's number from `number`: the first words of the menu."""
    return _phone(number).ring(StirVerstat=ATTESTED)  # the simulated phone is its own number


def press(number: str, next_path: str, digits: str) -> Turn:
    """Press a key: posted to the step the last answer named, as Twilio's Gather does."""
    if not next_path.startswith(f"{MENU_PATH}?"):  # never a reminder call's keys
        raise ValueError("not a step of the phone menu")
    return _phone(number).press(next_path, digits)
