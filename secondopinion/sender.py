"""The one seam to Twilio: a sender built from settings, injected wherever texts go out."""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Protocol

from requests.utils import get_environ_proxies
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from secondopinion.settings import Settings

# The client logs each request's method, URL and headers at INFO: ten log lines per text.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


class Sender(Protocol):
    def send_sms(self, to: str, body: str) -> str:
        """Hand one text to the provider; its id. Raises on refusal or unknown outcome."""
        ...

    def find_sent(self, to: str, body: str, since: dt.datetime) -> str | None:
        """The id of a text with this body already accepted for `to` since then, if any."""
        ...

    def place_call(self, to: str, url: str, status_callback: str) -> str:
        """Start a call whose TwiML is at `url`; its id."""
        ...

    def find_call(self, to: str, since: dt.datetime) -> str | None:
        """The id of a call already placed to `to` since then, if any."""
        ...


def _ca_bundle() -> str | bool:
    """What requests would take from the environment on each request, taken once."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def twilio_client(settings: Settings) -> Client:
    """The official client, with a timeout and TWILIO_API_BASE_URL honoured."""
    base_url = settings.twilio_api_base_url.rstrip("/")
    http = TwilioHttpClient(
        timeout=settings.twilio_timeout_seconds, proxy=get_environ_proxies(base_url)
    )
    if http.session is not None:
        # Proxies and a custom CA bundle are read once, here: left on, requests re-reads
        # the whole environment (and ~/.netrc) on every request, a fifth of its time.
        http.session.trust_env = False
        http.session.verify = _ca_bundle()
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
    client.api.base_url = base_url
    return client


class TwilioSender:
    """Texts and calls through Twilio's official client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = twilio_client(settings)

    def _who(self) -> dict[str, str]:
        if self.settings.twilio_messaging_service_sid:
            return {"messaging_service_sid": self.settings.twilio_messaging_service_sid}
        return {"from_": self.settings.twilio_from_number}

    def send_sms(self, to: str, body: str) -> str:
        extra: dict[str, object] = {"validity_period": self.settings.sms_validity_seconds}
        if self.settings.status_callback_url:
            extra["status_callback"] = self.settings.status_callback_url
        message = self.client.messages.create(to=to, body=body, **self._who(), **extra)
        return str(message.sid)

    def find_sent(self, to: str, body: str, since: dt.datetime) -> str | None:
        day = since.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        for message in self.client.messages.list(to=to, date_sent_after=day, page_size=100):
            if message.body == body:
                return str(message.sid)
        return None

    def place_call(self, to: str, url: str, status_callback: str) -> str:
        caller = self.settings.twilio_from_number
        call = self.client.calls.create(
            to=to,
            from_=caller,
            url=url,
            status_callback=status_callback,
            machine_detection="DetectMessageEnd",  # voicemail after the beep, whole
            timeout=30,
        )
        return str(call.sid)

    def find_call(self, to: str, since: dt.datetime) -> str | None:
        for call in self.client.calls.list(to=to, start_time_after=since, page_size=20):
            return str(call.sid)
        return None
