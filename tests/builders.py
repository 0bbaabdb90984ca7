"""Test builders: send a signed text as Twilio would, read back what the patient sees."""

from __future__ import annotations

import itertools
from xml.etree import ElementTree

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://secondopinion.example.org"
PROGRAM_NUMBER = "+12125550100"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def signature(path: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, form)


def post_signed(client: FlaskClient, path: str, form: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        path, data=form, headers={"X-Twilio-Signature": signature(path, form), **headers}
    )


def sms_form(phone: str, body: str, sid: str | None = None) -> dict[str, str]:
    return {
        "From": phone,
        "To": PROGRAM_NUMBER,
        "Body": body,
        "MessageSid": sid or new_sid(),
        "AccountSid": "AC" + "0" * 32,
        "NumMedia": "0",
    }


def replies(twiml: str) -> list[str]:
    return [m.text or "" for m in ElementTree.fromstring(twiml).iter("Message")]


def sms(client: FlaskClient, phone: str, body: str, sid: str | None = None) -> list[str]:
    """Text the program from `phone`; the texts the patient gets back."""
    response = post_signed(client, "/twilio/sms", sms_form(phone, body, sid))
    assert response.status_code == 200, response.get_data(as_text=True)
    return replies(response.get_data(as_text=True))


def reply(client: FlaskClient, phone: str, body: str) -> str:
    """The single text the patient gets back."""
    texts = sms(client, phone, body)
    assert len(texts) == 1, texts
    return texts[0]


def status_callback(client: FlaskClient, sid: str, status: str, error_code: str = ""):  # type: ignore[no-untyped-def]
    """A signed delivery report, as Twilio posts it to /twilio/status."""
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "5" * 32}
    if error_code:
        form["ErrorCode"] = error_code
    return post_signed(client, "/twilio/status", form)
