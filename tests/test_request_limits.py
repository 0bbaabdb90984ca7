"""What the web tier refuses before reading a body, and odd signed input that once made a 500."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from store.models import MessageRow
from tests.builders import post_signed, reply, signature, sms_form

PATIENT = "+12125550171"


def count_messages(app: Flask) -> int:
    with app.extensions["secondopinion"].sessions() as session:
        return session.scalar(select(func.count()).select_from(MessageRow)) or 0


def test_a_body_over_the_limit_is_413_before_it_is_read(app: Flask, client: FlaskClient) -> None:
    form = sms_form(PATIENT, "A" * 100_000)
    response = post_signed(client, "/twilio/sms", form)
    assert response.status_code == 413
    assert count_messages(app) == 0


def test_a_large_multipart_upload_is_refused_without_spooling(client: FlaskClient) -> None:
    part = b'--x\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'
    stream = io.BytesIO(part + b"\0" * 300_000 + b"\r\n--x--\r\n")
    response = client.post(
        "/twilio/sms",
        input_stream=stream,
        content_type="multipart/form-data; boundary=x",
        headers={"Content-Length": str(len(stream.getvalue()))},
    )
    assert response.status_code == 413
    assert stream.tell() == 0


def test_an_unsigned_webhook_is_refused_before_its_form_is_read(client: FlaskClient) -> None:
    stream = io.BytesIO(b"From=%2B12125550171&Body=SECOND")
    response = client.post(
        "/twilio/sms",
        input_stream=stream,
        content_type="application/x-www-form-urlencoded",
        headers={"Content-Length": "31"},
    )
    assert response.status_code == 403
    assert stream.tell() == 0  # not one byte of the body was read


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "application/json"])
def test_a_signed_webhook_that_is_not_a_form_is_415(client: FlaskClient, content_type: str) -> None:
    form = sms_form(PATIENT, "SECOND")
    response = client.post(
        "/twilio/sms",
        data=b"{}",
        content_type=content_type,
        headers={"X-Twilio-Signature": signature("/twilio/sms", form)},
    )
    assert response.status_code == 415


def test_a_nul_byte_in_a_text_is_stripped_not_a_500(app: Flask, client: FlaskClient) -> None:
    form = sms_form(PATIENT, "SECOND\x00")
    response = post_signed(client, "/twilio/sms", form)
    assert response.status_code == 200
    assert "Second Opinion Prep" in response.get_data(as_text=True)
    with app.extensions["secondopinion"].sessions() as session:
        bodies = session.scalars(select(MessageRow.body).where(MessageRow.direction == "in"))
        assert list(bodies) == ["SECOND"]


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/twilio/sms", {"From": "+12125550172", "MessageSid": "S" * 200, "Body": "x"}),
        ("/twilio/sms", {"From": "+12125550172", "MessageSid": "SM\x00", "Body": "x"}),
        ("/twilio/status", {"MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "9" * 20}),
        ("/twilio/status", {"MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "²"}),
        ("/twilio/voice/reminder?reminder=" + "9" * 20, {"From": "+12125550172"}),
        ("/twilio/voice/status?reminder=" + "9" * 20, {"CallStatus": "no-answer"}),
        ("/twilio/voice/menu?step=menu&lang=en&phrase=-99", {"From": "+12125550172"}),
        ("/twilio/voice/menu?step=menu&lang=en", {"From": "+12125550172", "Digits": "\x00"}),
    ],
)
def test_odd_signed_input_gets_a_4xx_or_2xx_never_a_500(
    client: FlaskClient, path: str, form: dict[str, str]
) -> None:
    reply(client, PATIENT, "SECOND")
    response = post_signed(client, path, form)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
