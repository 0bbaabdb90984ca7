"""A phone that talks to the service's webhooks as Twilio does: signed forms in, TwiML out.

For example::

    phone = Phone(wsgi_transport(app), "+12125550123", auth_token=TOKEN)
    assert phone.text("SECOND") == ["Welcome ..."]
    turn = phone.press(phone.ring(), "1")
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from twilio.request_validator import RequestValidator
from werkzeug.test import Client

from twilio_double.rules import num_segments
from twilio_double.twiml import Turn, messages, read_turn

ACCOUNT_SID = "AC" + "0" * 32
PROGRAM_NUMBER = "+12125550100"  # fictional
API_VERSION = "2010-04-01"
SMS_PATH, STATUS_PATH, VOICE_PATH = "/twilio/sms", "/twilio/status", "/twilio/voice"


# The seam between the phone and the service: (path, form, headers) -> (status, text).
Transport = Callable[[str, Mapping[str, str], Mapping[str, str]], tuple[int, str]]


def new_sid(prefix: str) -> str:
    """A fresh sid as Twilio makes them: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def sign(url: str, form: Mapping[str, str], auth_token: str) -> str:
    """X-Twilio-Signature for a POST of `form` to `url` (the full URL, query included)."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(form)))


def sms_form(
    from_: str,
    to: str,
    body: str,
    sid: str | None = None,
    account_sid: str = ACCOUNT_SID,
    **extra: str,
) -> dict[str, str]:
    """An inbound SMS, with the fields Twilio posts to the messaging webhook."""
    sid = sid or new_sid("SM")
    return {
        "ApiVersion": API_VERSION,
        "AccountSid": account_sid,
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": str(num_segments(body)),
        **extra,
    }


def voice_form(
    from_: str,
    to: str,
    call_sid: str | None = None,
    account_sid: str = ACCOUNT_SID,
    *,
    digits: str | None = None,
    answered_by: str | None = None,
    call_status: str | None = None,
    stir_verstat: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """A voice request, with the fields Twilio posts to a voice webhook or Gather action."""
    optional = {
        "Digits": digits,
        "AnsweredBy": answered_by,
        "CallStatus": call_status,
        "StirVerstat": stir_verstat,
    }
    form = {
        "ApiVersion": API_VERSION,
        "AccountSid": account_sid,
        "CallSid": call_sid or new_sid("CA"),
        "From": from_,
        "To": to,
    }
    return form | {k: v for k, v in optional.items() if v is not None} | extra


def status_form(
    sid: str,
    status: str,
    account_sid: str = ACCOUNT_SID,
    error_code: str | int | None = None,
    **extra: str,
) -> dict[str, str]:
    """A message status callback, as Twilio posts it to the StatusCallback URL."""
    form = {
        "ApiVersion": API_VERSION,
        "AccountSid": account_sid,
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
    }
    if error_code is not None:
        form["ErrorCode"] = str(error_code)
    return form | extra


@dataclass(frozen=True, slots=True)
class _Wsgi:
    client: Client
    base_url: str

    def __call__(
        self, path: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        response = self.client.post(
            path, data=dict(form), headers=dict(headers), base_url=self.base_url
        )
        try:
            return response.status_code, response.get_data(as_text=True)
        finally:
            response.close()


@dataclass(frozen=True, slots=True)
class _Http:
    base_url: str
    timeout: float

    def __call__(
        self, path: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        response = requests.post(
            self.base_url + path,
            data=dict(form),
            headers=dict(headers),
            timeout=self.timeout,
            allow_redirects=False,  # Twilio does not follow a redirect of a webhook POST
        )
        return response.status_code, response.text


def wsgi_transport(
    app: Client | Callable[..., Any], base_url: str = "http://localhost"
) -> Transport:
    """In-process: a WSGI app (e.g. Flask), or a werkzeug/Flask test client already made."""
    client = app if isinstance(app, Client) else Client(app)
    return _Wsgi(client, base_url.rstrip("/"))


def http_transport(base_url: str, timeout: float = 10.0) -> Transport:
    """Over real HTTP to a running service."""
    return _Http(base_url.rstrip("/"), timeout)


@dataclass(frozen=True, slots=True)
class Answer:
    """A webhook's raw answer."""

    status_code: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class WebhookError(RuntimeError):
    """A webhook answered with a non-2xx status."""

    def __init__(self, path: str, answer: Answer) -> None:
        super().__init__(f"POST {path} answered {answer.status_code}: {answer.text[:300]}")
        self.path, self.answer = path, answer


class Phone:
    """One phone number talking to the service, as Twilio relays it."""

    def __init__(
        self,
        transport: Transport,
        number: str,
        *,
        auth_token: str,
        signed_base_url: str | None = None,
        program_number: str = PROGRAM_NUMBER,
        account_sid: str = ACCOUNT_SID,
    ) -> None:
        self.transport, self.number, self.auth_token = transport, number, auth_token
        # behind a proxy the service checks signatures against its PUBLIC_BASE_URL
        base = signed_base_url or getattr(transport, "base_url", "http://localhost")
        self.signed_base_url = str(base).rstrip("/")
        self.program_number, self.account_sid = program_number, account_sid
        self.call_sid: str | None = None  # the call in progress, set by ring() / answer()

    def post(self, path: str, form: Mapping[str, str]) -> Answer:
        """Sign `form` for signed_base_url + path and post it; never raises on a status."""
        signature = sign(self.signed_base_url + path, form, self.auth_token)
        status, text = self.transport(path, form, {"X-Twilio-Signature": signature})
        return Answer(status, text)

    def _checked(self, path: str, form: Mapping[str, str]) -> Answer:
        answer = self.post(path, form)
        if not answer.ok:
            raise WebhookError(path, answer)
        return answer

    def post_text(self, body: str, sid: str | None = None, **extra: str) -> Answer:
        """Text the program; the raw answer, whatever its status (for odd inputs)."""
        form = sms_form(self.number, self.program_number, body, sid, self.account_sid, **extra)
        return self.post(SMS_PATH, form)

    def text(self, body: str, sid: str | None = None) -> list[str]:
        """Text the program; the texts it answers with. WebhookError on a non-2xx."""
        answer = self.post_text(body, sid)
        if not answer.ok:
            raise WebhookError(SMS_PATH, answer)
        return messages(answer.text)

    def report(self, sid: str, status: str, error_code: str | int | None = None) -> Answer:
        """Twilio's delivery report for a text sent to this phone."""
        form = status_form(
            sid, status, self.account_sid, error_code, From=self.program_number, To=self.number
        )
        return self._checked(STATUS_PATH, form)

    def ring(self, **extra: str) -> Turn:
        """Call the program's number: a new call, and its first turn."""
        self.call_sid = new_sid("CA")
        return self.voice_post(VOICE_PATH, **extra)

    def answer(self, path: str, **extra: str) -> Turn:
        """Pick up a call the service placed: Twilio posts From=program, To=this phone."""
        self.call_sid = new_sid("CA")
        return self.voice_post(path, From=self.program_number, To=self.number, **extra)

    def press(self, turn_or_next_path: Turn | str, digits: str, **extra: str) -> Turn:
        """Press keys ("" = nothing) into the last Gather: posted to its action, as Twilio does."""
        path = turn_or_next_path
        if isinstance(path, Turn):
            if path.next_path is None:
                raise ValueError("the call has ended: nothing gathers the keys")
            path = path.next_path
        return self.voice_post(path, Digits=digits, **extra)

    def voice_post(self, path: str, **form: str) -> Turn:
        """Post a voice request to `path` (fields in Twilio's names override the defaults)."""
        self.call_sid = self.call_sid or new_sid("CA")
        base = voice_form(self.number, self.program_number, self.call_sid, self.account_sid)
        answer = self._checked(path, base | form)
        return read_turn(answer.text, current_path=path)
