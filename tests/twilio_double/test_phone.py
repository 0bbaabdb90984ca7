"""The phone signs and posts as Twilio does, and reads the TwiML back as a caller hears it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse
from werkzeug.serving import make_server

from twilio_double import (
    PROGRAM_NUMBER,
    Answer,
    Phone,
    Turn,
    WebhookError,
    http_transport,
    messages,
    read_turn,
    sign,
    sms_form,
    status_form,
    voice_form,
    wsgi_transport,
)

TOKEN = "phone-test-token-0123456789abcdef"
PUBLIC = "https://secondopinion.example.org"
CALLER = "+12125550123"
STAFF = "+12125550199"
MENU = "/twilio/voice/menu?step=start&lang=en"


def make_app(public_base_url: str = "") -> tuple[Flask, list[dict[str, Any]]]:
    """A tiny service that checks signatures like ours does, and records what it got."""
    app = Flask(__name__)
    seen: list[dict[str, Any]] = []
    validator = RequestValidator(TOKEN)

    @app.before_request
    def checked() -> None:
        query = request.query_string.decode()
        url = f"{public_base_url}{request.path}" + (f"?{query}" if query else "")
        url = url if public_base_url else request.url
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature")):
            abort(403)
        seen.append({"path": request.full_path.rstrip("?"), **request.form})

    @app.post("/twilio/sms")
    def sms() -> Response:
        if not request.form["Body"].strip():
            return Response("empty text", status=400)
        reply = MessagingResponse()
        reply.message(f"You said: {request.form['Body']}")
        reply.message(f"to {request.form['From']}")
        return Response(str(reply), mimetype="text/xml")

    @app.post("/twilio/status")
    def status() -> Response:
        return Response(status=204)

    @app.post("/twilio/voice")
    def voice() -> Response:
        answer = VoiceResponse()
        gather = Gather(action=MENU, num_digits=1, language="en-US", action_on_empty_result=True)
        gather.say("Press 1 to talk to someone.", language="en-US")
        gather.say("Para español, oprima 2.", language="es-MX")
        answer.append(gather)
        return Response(str(answer), mimetype="text/xml")

    @app.post("/twilio/voice/menu")
    def menu() -> Response:
        answer, digits = VoiceResponse(), request.form["Digits"]
        if digits == "1":
            answer.say("Connecting you.", language="en-US")
            answer.dial(STAFF)
        elif digits == "":
            gather = Gather(action="/twilio/voice/menu?step=again&lang=en", num_digits=1)
            gather.say("Sorry, I did not hear you.", language="en-US")
            answer.append(gather)
        else:
            answer.say("Goodbye.", language="en-US")
            answer.hangup()
        return Response(str(answer), mimetype="text/xml")

    @app.post("/twilio/voice/reminder")
    def reminder() -> Response:
        answer = VoiceResponse()
        if request.form.get("AnsweredBy", "").startswith("machine"):
            answer.say(f"Reminder {request.args['reminder']} goes by text.", language="en-US")
            answer.hangup()
        else:
            gather = Gather(num_digits=1)  # no action: Twilio posts back to this URL
            gather.say("Your appointment is tomorrow.", language="en-US")
            answer.append(gather)
        return Response(str(answer), mimetype="text/xml")

    return app, seen


@pytest.fixture
def app_and_seen() -> tuple[Flask, list[dict[str, Any]]]:
    return make_app(PUBLIC)


@pytest.fixture
def phone(app_and_seen: tuple[Flask, list[dict[str, Any]]]) -> Phone:
    app, _ = app_and_seen
    return Phone(wsgi_transport(app), CALLER, auth_token=TOKEN, signed_base_url=PUBLIC)


@pytest.fixture
def seen(app_and_seen: tuple[Flask, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return app_and_seen[1]


# -- signing and forms ---------------------------------------------------------------


def test_a_signature_verifies_for_that_url_form_and_token_only() -> None:
    url = f"{PUBLIC}/twilio/voice/reminder?reminder=3"
    form = sms_form(CALLER, PROGRAM_NUMBER, "Hola ✓")
    signature = sign(url, form, TOKEN)
    validator = RequestValidator(TOKEN)

    assert validator.validate(url, form, signature) is True
    assert validator.validate(url, {**form, "Body": "Hola"}, signature) is False
    assert validator.validate(f"{PUBLIC}/twilio/voice/reminder", form, signature) is False
    assert RequestValidator("another-token").validate(url, form, signature) is False


def test_an_sms_form_carries_what_twilio_posts() -> None:
    form = sms_form(CALLER, PROGRAM_NUMBER, "x" * 161, Extra="1")
    other = sms_form(CALLER, PROGRAM_NUMBER, "hi")

    assert re.fullmatch(r"SM[0-9a-f]{32}", form["MessageSid"])
    assert other["MessageSid"] != form["MessageSid"]
    assert form["SmsSid"] == form["SmsMessageSid"] == form["MessageSid"]
    assert (form["From"], form["To"], form["NumMedia"], form["NumSegments"]) == (
        CALLER,
        PROGRAM_NUMBER,
        "0",
        "2",
    )
    assert re.fullmatch(r"AC[0-9a-f]{32}", form["AccountSid"]) and form["Extra"] == "1"
    assert sms_form(CALLER, PROGRAM_NUMBER, "hi", sid="SM" + "1" * 32)["MessageSid"] == (
        "SM" + "1" * 32
    )


def test_voice_and_status_forms_add_optional_fields_only_when_given() -> None:
    plain = voice_form(CALLER, PROGRAM_NUMBER)
    full = voice_form(
        CALLER,
        PROGRAM_NUMBER,
        "CA" + "2" * 32,
        digits="",
        answered_by="human",
        call_status="in-progress",
        stir_verstat="TN-Validation-Passed-A",
    )

    assert re.fullmatch(r"CA[0-9a-f]{32}", plain["CallSid"])
    assert not {"Digits", "AnsweredBy", "CallStatus", "StirVerstat"} & set(plain)
    assert (full["CallSid"], full["Digits"], full["AnsweredBy"]) == ("CA" + "2" * 32, "", "human")
    assert (full["CallStatus"], full["StirVerstat"]) == ("in-progress", "TN-Validation-Passed-A")
    assert "ErrorCode" not in status_form("SM" + "3" * 32, "delivered")
    failed = status_form("SM" + "3" * 32, "undelivered", error_code=30003)
    assert (failed["MessageSid"], failed["MessageStatus"], failed["ErrorCode"]) == (
        "SM" + "3" * 32,
        "undelivered",
        "30003",
    )


# -- texts ---------------------------------------------------------------------------


def test_text_returns_the_messages_of_the_answer(phone: Phone, seen: list[dict[str, Any]]) -> None:
    assert phone.text("hello", sid="SM" + "4" * 32) == ["You said: hello", f"to {CALLER}"]

    assert seen[0]["path"] == "/twilio/sms"
    assert (seen[0]["MessageSid"], seen[0]["To"]) == ("SM" + "4" * 32, PROGRAM_NUMBER)


def test_a_flask_test_client_can_be_the_transport(
    app_and_seen: tuple[Flask, list[dict[str, Any]]],
) -> None:
    app, _ = app_and_seen
    with app.test_client() as client:
        phone = Phone(wsgi_transport(client), CALLER, auth_token=TOKEN, signed_base_url=PUBLIC)
        assert phone.text("via client") == ["You said: via client", f"to {CALLER}"]


def test_a_signature_for_another_url_or_token_is_refused_with_a_clear_error(
    app_and_seen: tuple[Flask, list[dict[str, Any]]], seen: list[dict[str, Any]]
) -> None:
    app, _ = app_and_seen
    unproxied = Phone(wsgi_transport(app), CALLER, auth_token=TOKEN)  # signs http://localhost
    wrong_token = Phone(wsgi_transport(app), CALLER, auth_token="nope", signed_base_url=PUBLIC)

    for phone in (unproxied, wrong_token):
        with pytest.raises(WebhookError, match="answered 403") as raised:
            phone.text("hello")
        assert raised.value.answer.status_code == 403
    assert seen == []


def test_odd_inputs_come_back_as_answers(phone: Phone) -> None:
    answer = phone.post_text("   ", NumMedia="1")

    assert answer == Answer(400, "empty text") and answer.ok is False
    with pytest.raises(WebhookError, match="/twilio/sms answered 400: empty text"):
        phone.text("")


def test_report_posts_a_delivery_report(phone: Phone, seen: list[dict[str, Any]]) -> None:
    answer = phone.report("SM" + "5" * 32, "undelivered", error_code=30005)

    assert answer.status_code == 204
    assert seen[0] | {"AccountSid": None, "ApiVersion": None, "SmsSid": None} == {
        "path": "/twilio/status",
        "AccountSid": None,
        "ApiVersion": None,
        "SmsSid": None,
        "MessageSid": "SM" + "5" * 32,
        "MessageStatus": "undelivered",
        "SmsStatus": "undelivered",
        "ErrorCode": "30005",
        "From": PROGRAM_NUMBER,
        "To": CALLER,
    }


# -- calls ---------------------------------------------------------------------------


def test_ring_and_press_follow_the_gather_action(phone: Phone, seen: list[dict[str, Any]]) -> None:
    menu = phone.ring()
    connected = phone.press(menu, "1")

    assert menu.said == (
        ("en-US", "Press 1 to talk to someone."),
        ("es-MX", "Para español, oprima 2."),
    )
    assert (menu.next_path, menu.gather_language, menu.dialled) == (MENU, "en-US", None)
    assert connected == Turn(said=(("en-US", "Connecting you."),), dialled=STAFF)
    assert [s["path"] for s in seen] == ["/twilio/voice", MENU]  # the query was signed too
    assert seen[1]["Digits"] == "1" and seen[0]["CallSid"] == seen[1]["CallSid"]
    assert (seen[0]["From"], seen[0]["To"]) == (CALLER, PROGRAM_NUMBER)


def test_pressing_nothing_and_hanging_up(phone: Phone, seen: list[dict[str, Any]]) -> None:
    again = phone.press(phone.ring(), "")
    goodbye = phone.press(again.next_path or "", "9")

    assert again.text == "Sorry, I did not hear you."
    assert again.next_path == "/twilio/voice/menu?step=again&lang=en"
    assert seen[1]["Digits"] == ""
    assert (goodbye.hangs_up, goodbye.next_path, goodbye.text) == (True, None, "Goodbye.")
    with pytest.raises(ValueError, match="ended"):
        phone.press(goodbye, "1")


def test_a_new_ring_is_a_new_call(phone: Phone, seen: list[dict[str, Any]]) -> None:
    phone.ring()
    phone.ring()

    assert seen[0]["CallSid"] != seen[1]["CallSid"]


def test_voice_post_reaches_other_voice_paths(phone: Phone, seen: list[dict[str, Any]]) -> None:
    machine = phone.voice_post("/twilio/voice/reminder?reminder=3", AnsweredBy="machine_start")

    assert machine.said == (("en-US", "Reminder 3 goes by text."),)
    assert machine.hangs_up and machine.next_path is None
    assert (seen[0]["path"], seen[0]["AnsweredBy"]) == (
        "/twilio/voice/reminder?reminder=3",
        "machine_start",
    )


def test_answering_a_call_the_service_placed(phone: Phone, seen: list[dict[str, Any]]) -> None:
    turn = phone.answer("/twilio/voice/reminder?reminder=4", AnsweredBy="human")

    assert turn.next_path == "/twilio/voice/reminder?reminder=4"  # a Gather without action
    assert (seen[0]["From"], seen[0]["To"]) == (PROGRAM_NUMBER, CALLER)


# -- over HTTP -----------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The tiny service on 127.0.0.1 (no public base URL: it checks its own URL)."""
    app, seen = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}", seen
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_http_transport_posts_over_the_network(
    served: tuple[str, list[dict[str, Any]]],
) -> None:
    base_url, seen = served
    phone = Phone(http_transport(base_url, timeout=5), CALLER, auth_token=TOKEN)

    assert phone.text("over the wire") == ["You said: over the wire", f"to {CALLER}"]
    assert phone.press(phone.ring(), "1").dialled == STAFF
    assert [s["path"] for s in seen] == ["/twilio/sms", "/twilio/voice", MENU]


def test_http_transport_signs_for_the_public_url_when_told(
    served: tuple[str, list[dict[str, Any]]],
) -> None:
    base_url, seen = served
    phone = Phone(http_transport(base_url), CALLER, auth_token=TOKEN, signed_base_url=PUBLIC)

    assert phone.post_text("hi").status_code == 403  # this server checks its own URL
    assert seen == []


# -- reading TwiML -------------------------------------------------------------------


def test_messages_reads_every_message_form() -> None:
    twiml = "<Response><Message>one </Message><Message><Body>two</Body></Message></Response>"

    assert messages(twiml) == ["one ", "two"]
    assert messages("<Response/>") == [] and messages("") == []


def test_read_turn_reads_dial_numbers_and_absolute_actions() -> None:
    twiml = (
        '<Response><Say language="en-US">Hold on</Say>'
        "<Dial><Number>+12125550198</Number></Dial></Response>"
    )
    gather = '<Response><Gather action="https://x.example.org/next?a=1&amp;b=2"/></Response>'

    assert read_turn(twiml) == Turn(said=(("en-US", "Hold on"),), dialled="+12125550198")
    assert read_turn(gather).next_path == "/next?a=1&b=2"
    assert read_turn("") == Turn(said=())
