"""Test builders: texts and calls posted as Twilio would, and what the patient gets back.

Everything goes through twilio_double's Phone (sign, post, read the TwiML), the same
client the simulator and the terminal commands use.
"""

from __future__ import annotations

from flask.testing import FlaskClient

import twilio_double
from twilio_double import Answer, Phone, Turn, new_sid, sign, wsgi_transport
from twilio_double import messages as replies

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://secondopinion.example.org"
PROGRAM_NUMBER = "+12125550100"
SENDER_NUMBER = PROGRAM_NUMBER  # the program texts from the number people text
ACCOUNT_SID = "AC" + "5" * 32
# Who runs the program, in both languages: a process with a Twilio account refuses to start
# on the sandbox's stand-in words, so every real-process test sets these.
PROGRAM_WORDS = {
    "PROGRAM_ORG": "the Patient Navigation Team",
    "PROGRAM_CONTACT": "(212) 555-0199",
    "PROGRAM_ORG_ES": "el Equipo de Navegación de Pacientes",
    "PROGRAM_CONTACT_ES": "(212) 555-0199",
}

__all__ = ["AUTH_TOKEN", "PROGRAM_NUMBER", "PUBLIC_BASE_URL", "new_sid", "replies"]


def phone(client: FlaskClient, number: str) -> Phone:
    """`number` talking to the app behind `client`, signed for PUBLIC_BASE_URL."""
    return Phone(
        wsgi_transport(client),
        number,
        auth_token=AUTH_TOKEN,
        signed_base_url=PUBLIC_BASE_URL,
        program_number=PROGRAM_NUMBER,
    )


def sms_form(number: str, body: str, sid: str | None = None) -> dict[str, str]:
    """The form of a text from `number` to the program, as Twilio posts it."""
    return twilio_double.sms_form(number, PROGRAM_NUMBER, body, sid)


def signature(path: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return sign(PUBLIC_BASE_URL + path, form, token)


def post_signed(client: FlaskClient, path: str, form: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
    """A raw signed post, for tests of what the webhook does with odd requests."""
    return client.post(
        path, data=form, headers={"X-Twilio-Signature": signature(path, form), **headers}
    )


def sms(client: FlaskClient, number: str, body: str, sid: str | None = None) -> list[str]:
    """Text the program from `number`; the texts the patient gets back."""
    return phone(client, number).text(body, sid)


def reply(client: FlaskClient, number: str, body: str) -> str:
    """The single text the patient gets back."""
    texts = sms(client, number, body)
    assert len(texts) == 1, texts
    return texts[0]


def status_callback(
    client: FlaskClient, sid: str, status: str, error_code: str = "", to: str = "+12125550101"
) -> Answer:
    """A signed delivery report, as Twilio posts it to /twilio/status."""
    return phone(client, to).report(sid, status, error_code or None)


ATTESTED = "TN-Validation-Passed-A"  # STIR/SHAKEN: the carrier vouches for the caller ID


def ring(client: FlaskClient, number: str, stir_verstat: str = ATTESTED, **extra: str) -> Turn:
    """Call the program; by default from a number the carrier fully attested."""
    return phone(client, number).ring(StirVerstat=stir_verstat, **extra)


def press(client: FlaskClient, turn: Turn, number: str, digits: str) -> Turn:
    return phone(client, number).press(turn, digits)


def voice_post(client: FlaskClient, path: str, number: str, **form: str) -> Turn:
    return phone(client, number).voice_post(path, **form)


def call_status(client: FlaskClient, reminder_id: int, number: str, status: str) -> None:
    """Twilio's report of how a reminder call ended."""
    call = phone(client, number)
    call.voice_post(
        f"/twilio/voice/status?reminder={reminder_id}",
        From=PROGRAM_NUMBER,
        To=number,
        CallStatus=status,
    )
