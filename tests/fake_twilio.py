"""A local fake of Twilio's REST API (Messages and Calls) for tests.

Point the official client at it::

    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        client = Client(ACCOUNT_SID, AUTH_TOKEN)
        client.api.base_url = fake.base_url
        client.messages.create(to="+12125550101", from_="+12125550100", body="hi")
        assert fake.bodies_to("+12125550101") == ["hi"]

or run it as its own process (the first line printed is its base URL)::

    python -m tests.fake_twilio --port 0 --account-sid AC... --auth-token TOKEN

and read what it recorded from another process with `RemoteFakeTwilio`, or with
GET /_fake/messages, /_fake/calls and /_fake/requests. POST /_fake/reset,
/_fake/fail_next, /_fake/fail_to, /_fake/delay and /_fake/drop_next program it.

The request parameters, limits and error codes follow Twilio's OpenAPI description of
API v2010 (CreateMessage, CreateCall, ListMessage). Where the fake is stricter than
Twilio it says so: unknown parameters are rejected (Twilio ignores them) so that a
misspelt parameter fails a test instead of being silently dropped.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import json
import math
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec used to count segments)

API_VERSION = "2010-04-01"
RESOURCE_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<kind>Messages|Calls)"
    r"(?:/(?P<sid>[A-Z]{2}[0-9a-f]{32}))?\.json$"
)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Every parameter of CreateMessage and CreateCall in twilio_api_v2010.json.
MESSAGE_PARAMETERS = _names(
    """
To From MessagingServiceSid Body MediaUrl ContentSid StatusCallback ApplicationSid
MaxPrice ProvideFeedback Attempt ValidityPeriod ForceDelivery ContentRetention
AddressRetention SmartEncoded PersistentAction TrafficType ShortenUrls ScheduleType
SendAt SendAsMms ContentVariables RiskCheck FallbackFrom
"""
)
CALL_PARAMETERS = _names(
    """
To From Method FallbackUrl FallbackMethod StatusCallback StatusCallbackEvent
StatusCallbackMethod SendDigits Timeout Record RecordingChannels
RecordingStatusCallback RecordingStatusCallbackMethod SipAuthUsername SipAuthPassword
MachineDetection MachineDetectionTimeout RecordingStatusCallbackEvent Trim CallerId
MachineDetectionSpeechThreshold MachineDetectionSpeechEndThreshold
MachineDetectionSilenceTimeout AsyncAmd AsyncAmdStatusCallback
AsyncAmdStatusCallbackMethod Byoc CallReason CallToken RecordingTrack TimeLimit
ClientNotificationUrl Url Twiml ApplicationSid
"""
)
CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})
MACHINE_DETECTION = frozenset({"Enable", "DetectMessageEnd"})
MAX_BODY = 1600
MAX_VALIDITY_PERIOD = 36000
MAX_CALL_TIMEOUT = 600

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CHANNEL_ADDRESS = re.compile(r"^whatsapp:\+[1-9]\d{1,14}$")
SHORT_CODE = re.compile(r"^\d{3,6}$")
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
VOICE_ENDPOINT = re.compile(r"^(client:\S+|sip:\S+)$")

# Twilio error codes used below, with the messages Twilio gives for them.
# The fake's code for unknown or malformed parameters (Twilio ignores unknown ones).
PARAMETER_ERROR = 20001
AUTHENTICATE = 20003
METHOD_NOT_ALLOWED = 20004
NOT_FOUND = 20404
ERROR_MESSAGES: dict[int, str] = {
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}
DEFAULT_CODES = {429: 20429, 500: 20500, 503: 20503}

Form = Mapping[str, list[str]]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the handler sends back; `drop` closes the socket without answering."""

    status: int
    payload: object = None
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False


@dataclass(slots=True)
class _Entry:
    """One accepted message or call: what tests inspect and what the API returns."""

    record: dict[str, Any]
    resource: dict[str, Any]
    sent_at: datetime  # whole seconds, like the date_sent Twilio shows


@dataclass(slots=True)
class _Failures:
    """Programmed failures, consumed by POSTs to Messages.json and Calls.json."""

    next: deque[tuple[int, int]] = field(default_factory=deque)
    to: dict[str, tuple[int, int]] = field(default_factory=dict)
    drop_next: int = 0
    delay: float = 0.0


def error(status: int, code: int, message: str, *headers: tuple[str, str]) -> Reply:
    """Twilio's legacy error body, which the client turns into TwilioRestException."""
    payload = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Reply(status, payload, headers)


def num_segments(body: str) -> int:
    """SMS segments: GSM-7 septets in 160/153 chunks, otherwise UCS-2 units in 70/67."""
    try:
        units, single, part = len(body.encode("gsm03.38")), 160, 153
    except UnicodeEncodeError:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def is_absolute_url(value: str) -> bool:
    """An http(s) URL with a host name, as Twilio requires for callbacks."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _one(form: Form, name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _parse_when(value: str, day_only: bool = False) -> date | datetime:
    """`YYYY-MM-DD` or an ISO 8601 date-time (the client turns even a `date` into
    "YYYY-MM-DDT00:00:00Z"); `day_only` keeps just the day, as for `DateSent=`."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date() if day_only else moment


def _compare(sent_at: datetime, bound: date | datetime) -> int:
    """-1, 0 or 1 as `sent_at` is before, at or after `bound` (a day or an instant)."""
    if isinstance(bound, datetime):
        return (sent_at > bound) - (sent_at < bound)
    day = sent_at.date()
    return (day > bound) - (day < bound)


class FakeTwilio:
    """A threaded HTTP server on 127.0.0.1 that answers like api.twilio.com."""

    def __init__(
        self, account_sid: str, auth_token: str, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._messages: list[_Entry] = []
        self._calls: list[_Entry] = []
        self._requests: list[dict[str, Any]] = []
        self._failures = _Failures()
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to assign to `client.api.base_url`, e.g. "http://127.0.0.1:54321"."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Serve in a background daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeTwilio:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the open connections and the listening socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.close_connections()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- inspection ------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Accepted messages, oldest first: sid, to, from_, messaging_service_sid, body,
        status_callback, validity_period, status, received_at."""
        with self._lock:
            return [dict(entry.record) for entry in self._messages]

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Accepted calls, oldest first: sid, to, from_, url, twiml, status_callback,
        status_callback_events, machine_detection, timeout, status, received_at."""
        with self._lock:
            return [dict(entry.record) for entry in self._calls]

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every API request, rejected ones too: method, path, query, status (None when
        the connection was dropped), received_at."""
        with self._lock:
            return [dict(request) for request in self._requests]

    def bodies_to(self, number: str) -> list[str]:
        """Bodies of the messages accepted for `number`, oldest first."""
        with self._lock:
            return [e.record["body"] for e in self._messages if e.record["to"] == number]

    def count_to(self, number: str) -> int:
        """How many messages were accepted for `number`."""
        with self._lock:
            return sum(1 for e in self._messages if e.record["to"] == number)

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least `count` messages are recorded; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._messages) >= count, timeout)

    def reset(self) -> None:
        """Forget messages, calls and requests, and cancel failures and delay."""
        with self._changed:
            self._messages.clear()
            self._calls.clear()
            self._requests.clear()
            self._failures = _Failures()
            self._changed.notify_all()

    # -- programmed failures ---------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 429, code: int | None = None) -> None:
        """Fail the next `n` authenticated POSTs with `status`, before any validation
        (429 carries Retry-After: 1; `code` defaults to 20429, 20500 or 20503)."""
        code = code if code is not None else DEFAULT_CODES.get(status, 20000 + status)
        with self._lock:
            self._failures.next.extend([(status, code)] * n)

    def fail_to(self, number: str, code: int = 21610, status: int = 400) -> None:
        """Reject every valid POST to `number` with Twilio's error `code`."""
        with self._lock:
            self._failures.to[number] = (status, code)

    def delay(self, seconds: float) -> None:
        """Wait `seconds` before handling each POST (0 to stop)."""
        with self._lock:
            self._failures.delay = seconds

    def accept_then_drop_connection_next(self, n: int = 1) -> None:
        """Record the next `n` valid POSTs but close the socket without answering,
        as when Twilio accepted a message and the caller never learned its sid."""
        with self._lock:
            self._failures.drop_next += n

    # -- request handling (called from the server's threads) -------------------------

    def handle(self, method: str, target: str, authorization: str | None, body: bytes) -> Reply:
        """Answer one HTTP request; records it unless it is a /_fake/ control call."""
        path, _, query = target.partition("?")
        if path.startswith("/_fake/"):
            return self._control(method, path, body)
        reply = self._route(method, path, query, authorization, body)
        with self._lock:
            self._requests.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "status": None if reply.drop else reply.status,
                    "received_at": datetime.now(UTC),
                }
            )
        return reply

    def _route(
        self, method: str, path: str, query: str, authorization: str | None, body: bytes
    ) -> Reply:
        match = RESOURCE_PATH.match(path)
        if match is None:
            return error(404, NOT_FOUND, f"The requested resource {path} was not found")
        if method == "POST" and match["sid"] is None:
            with self._lock:
                pause = self._failures.delay
            if pause > 0:
                time.sleep(pause)
        if not self._authorized(authorization) or match["account"] != self.account_sid:
            return error(401, AUTHENTICATE, "Authenticate")
        kind, sid = match["kind"], match["sid"]
        if method == "GET":
            return self._fetch(kind, sid) if sid else self._list(kind, path, query)
        if method != "POST" or sid:
            return error(405, METHOD_NOT_ALLOWED, "Method not allowed")
        with self._lock:
            failure = self._failures.next.popleft() if self._failures.next else None
        if failure is not None:
            status, code = failure
            retry = (("Retry-After", "1"),) if status == 429 else ()
            return error(status, code, ERROR_MESSAGES.get(code, f"HTTP {status}"), *retry)
        form = parse_qs(body.decode(errors="replace"), keep_blank_values=True)
        if kind == "Messages":
            return self._create_message(form)
        return self._create_call(form)

    def _authorized(self, authorization: str | None) -> bool:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode("latin-1").partition(":")
        except (binascii.Error, ValueError):
            return False
        return (user, password) == (self.account_sid, self.auth_token)

    def _create_message(self, form: Form) -> Reply:
        unknown = sorted(set(form) - MESSAGE_PARAMETERS)
        if unknown:
            return error(400, PARAMETER_ERROR, f"Unknown parameter: {unknown[0]}")
        to, sender = _one(form, "To"), _one(form, "From")
        service, body = _one(form, "MessagingServiceSid"), _one(form, "Body") or ""
        callback, validity = _one(form, "StatusCallback"), _one(form, "ValidityPeriod")
        if not to:
            return error(400, 21604, "A 'To' phone number is required.")
        if not (E164.match(to) or CHANNEL_ADDRESS.match(to)):
            return error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not sender and not service:
            return error(
                400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send"
            )
        if sender and not any(
            p.match(sender) for p in (E164, CHANNEL_ADDRESS, SHORT_CODE, ALPHANUMERIC_SENDER)
        ):
            return error(400, 21212, f"Invalid 'From' Phone Number: {sender}")
        if service and not MESSAGING_SERVICE_SID.match(service):
            return error(400, PARAMETER_ERROR, f"Invalid MessagingServiceSid: {service}")
        if not body and not form.get("MediaUrl") and not form.get("ContentSid"):
            return error(400, 21602, "Message body is required.")
        if len(body) > MAX_BODY:
            return error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if callback is not None and not is_absolute_url(callback):
            return error(400, 21609, f"Invalid 'StatusCallback': {callback}")
        period: int | None = None
        if validity is not None:
            if not validity.isdigit() or int(validity) < 1:
                return error(400, 90014, "Validity Period should be positive integer")
            period = int(validity)
            if period > MAX_VALIDITY_PERIOD:
                return error(400, 90007, "Invalid validity period value")
        refusal = self._refusal(to)
        if refusal is not None:
            return refusal

        now = datetime.now(UTC)
        sid = "SM" + uuid.uuid4().hex
        stamp = format_datetime(now)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        status = "accepted" if service and not sender else "queued"
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": service,
            "num_media": str(len(form.get("MediaUrl", []))),
            "num_segments": str(num_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": to,
            "uri": f"{uri}.json",
        }
        record = {
            "sid": sid,
            "to": to,
            "from_": sender,
            "messaging_service_sid": service,
            "body": body,
            "status_callback": callback,
            "validity_period": period,
            "status": status,
            "received_at": now,
        }
        return self._accept(self._messages, _Entry(record, resource, now.replace(microsecond=0)))

    def _create_call(self, form: Form) -> Reply:
        unknown = sorted(set(form) - CALL_PARAMETERS)
        if unknown:
            return error(400, PARAMETER_ERROR, f"Unknown parameter: {unknown[0]}")
        to, sender = _one(form, "To"), _one(form, "From")
        url, twiml = _one(form, "Url"), _one(form, "Twiml")
        callback, detection = _one(form, "StatusCallback"), _one(form, "MachineDetection")
        timeout, events = _one(form, "Timeout"), form.get("StatusCallbackEvent", [])
        if not to:
            return error(400, 21201, "No 'To' number is specified")
        if not (E164.match(to) or VOICE_ENDPOINT.match(to)):
            return error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not sender:
            return error(400, 21213, "Caller phone number is required")
        if not (E164.match(sender) or VOICE_ENDPOINT.match(sender)):
            return error(400, 21212, f"Invalid 'From' Phone Number: {sender}")
        if not url and not twiml and not form.get("ApplicationSid"):
            return error(400, 21205, "Url parameter is required")
        for name, value in (("Url", url), ("StatusCallback", callback)):
            if value is not None and not is_absolute_url(value):
                return error(400, 21205, f"Invalid {name}: {value}")
        if any(event not in CALL_EVENTS for event in events):
            return error(400, 21626, "Invalid 'StatusCallbackEvent'")
        if detection is not None and detection not in MACHINE_DETECTION:
            return error(400, 21200, f"Invalid MachineDetection: {detection}")
        if timeout is not None and not (
            timeout.isdigit() and 1 <= int(timeout) <= MAX_CALL_TIMEOUT
        ):
            return error(400, 21200, f"Invalid Timeout: {timeout}")
        refusal = self._refusal(to)
        if refusal is not None:
            return refusal

        now = datetime.now(UTC)
        sid = "CA" + uuid.uuid4().hex
        stamp = format_datetime(now)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}"
        resource = {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": stamp,
            "date_updated": stamp,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": sender,
            "from_formatted": sender,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "subresource_uris": {
                name: f"{uri}/{name.title()}.json"
                for name in ("notifications", "recordings", "events")
            },
            "to": to,
            "to_formatted": to,
            "trunk_sid": None,
            "uri": f"{uri}.json",
        }
        record = {
            "sid": sid,
            "to": to,
            "from_": sender,
            "url": url,
            "twiml": twiml,
            "status_callback": callback,
            "status_callback_events": list(events),
            "machine_detection": detection,
            "timeout": int(timeout) if timeout else None,
            "status": "queued",
            "received_at": now,
        }
        return self._accept(self._calls, _Entry(record, resource, now.replace(microsecond=0)))

    def _refusal(self, to: str) -> Reply | None:
        """The error programmed with fail_to for this recipient, if any."""
        with self._lock:
            failure = self._failures.to.get(to)
        if failure is None:
            return None
        status, code = failure
        return error(status, code, f"{ERROR_MESSAGES.get(code, f'Error {code}')}: {to}")

    def _accept(self, store: list[_Entry], entry: _Entry) -> Reply:
        """Record a created resource and answer 201 (or drop the connection)."""
        with self._changed:
            store.append(entry)
            drop = self._failures.drop_next > 0
            if drop:
                self._failures.drop_next -= 1
            self._changed.notify_all()
        return Reply(201, entry.resource, drop=drop)

    def _fetch(self, kind: str, sid: str) -> Reply:
        with self._lock:
            store = self._messages if kind == "Messages" else self._calls
            found = next((e.resource for e in store if e.resource["sid"] == sid), None)
        if found is None:
            path = f"/{API_VERSION}/Accounts/{self.account_sid}/{kind}/{sid}.json"
            return error(404, NOT_FOUND, f"The requested resource {path} was not found")
        return Reply(200, found)

    def _list(self, kind: str, path: str, query: str) -> Reply:
        """One page of a read, newest first, filtered like Twilio's ListMessage."""
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        try:
            page_size = min(int(params.get("PageSize", 50)), 1000)
            page = int(params.get("Page", 0))
            bounds = [
                (_parse_when(params[name], day_only=name == "DateSent"), allowed)
                for name, allowed in (
                    ("DateSent", {0}),
                    ("DateSent<", {-1, 0}),
                    ("DateSent>", {0, 1}),
                )
                if name in params and kind == "Messages"
            ]
        except ValueError as problem:
            return error(400, PARAMETER_ERROR, f"Invalid parameter: {problem}")
        to, sender = params.get("To"), params.get("From")

        def wanted(entry: _Entry) -> bool:
            resource = entry.resource
            return (
                (to is None or resource["to"] == to)
                and (sender is None or resource["from"] == sender)
                and all(_compare(entry.sent_at, when) in ok for when, ok in bounds)
            )

        with self._lock:
            store = self._messages if kind == "Messages" else self._calls
            found = [e.resource for e in reversed(store) if wanted(e)]
        start = page * page_size
        chunk = found[start : start + page_size]
        kept = {k: v for k, v in params.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int) -> str:
            return f"{path}?{urlencode({**kept, 'PageSize': page_size, 'Page': number})}"

        payload = {
            kind.lower(): chunk,
            "end": start + max(len(chunk), 1) - 1,
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if start + page_size < len(found) else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": page_uri(page),
        }
        return Reply(200, payload)

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        """The /_fake/ endpoints, for a test in another process."""
        if method == "GET" and path in ("/_fake/messages", "/_fake/calls", "/_fake/requests"):
            rows = getattr(self, path.removeprefix("/_fake/"))
            return Reply(200, [_jsonable(row) for row in rows])
        form = {
            k: v[0]
            for k, v in parse_qs(body.decode(errors="replace"), keep_blank_values=True).items()
        }
        actions: dict[str, Callable[[], None]] = {
            "/_fake/reset": self.reset,
            "/_fake/fail_next": lambda: self.fail_next(
                int(form.get("n", 1)),
                int(form.get("status", 429)),
                int(form["code"]) if form.get("code") else None,
            ),
            "/_fake/fail_to": lambda: self.fail_to(
                form["number"], int(form.get("code", 21610)), int(form.get("status", 400))
            ),
            "/_fake/delay": lambda: self.delay(float(form.get("seconds", 0))),
            "/_fake/drop_next": lambda: self.accept_then_drop_connection_next(
                int(form.get("n", 1))
            ),
        }
        action = actions.get(path)
        if method != "POST" or action is None:
            return error(404, NOT_FOUND, f"The requested resource {path} was not found")
        try:
            action()
        except (KeyError, ValueError) as problem:
            return error(400, PARAMETER_ERROR, f"Invalid control parameters: {problem}")
        return Reply(200, {"ok": True})


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


class _Handler(BaseHTTPRequestHandler):
    """A lean keep-alive handler: read the body, ask FakeTwilio, write JSON."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeTwilio/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = -1  # buffer the response so headers and body leave in one send()
    timeout = 60  # seconds an idle keep-alive connection is kept
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.fake.handle(
            self.command, self.path, self.headers.get("Authorization"), body
        )
        if reply.drop:
            self.close_connection = True
            return
        data = json.dumps(reply.payload).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that skips the reverse DNS lookup and tracks its sockets."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], fake: FakeTwilio) -> None:
        self.fake = fake
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            if is_open:
                self._open.add(connection)
            else:
                self._open.discard(connection)

    def close_connections(self, wait: float = 2.0) -> None:
        """Wake the handler threads idling on keep-alive sockets, and let them close."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + wait
        while self._open and time.monotonic() < deadline:
            time.sleep(0.01)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is not worth a traceback."""
        if isinstance(sys.exception(), OSError):
            return
        super().handle_error(request, client_address)


class RemoteFakeTwilio:
    """Drives a FakeTwilio running in another process through its /_fake/ endpoints."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, path: str, form: Mapping[str, object] | None = None) -> Any:
        data = None if form is None else urlencode(form).encode()
        request = Request(self.base_url + path, data=data, method="GET" if data is None else "POST")
        with urlopen(request, timeout=self.timeout) as response:
            return json.load(response)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """As FakeTwilio.messages, with received_at as an ISO 8601 string."""
        return list(self._call("/_fake/messages"))

    @property
    def calls(self) -> list[dict[str, Any]]:
        return list(self._call("/_fake/calls"))

    @property
    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("/_fake/requests"))

    def bodies_to(self, number: str) -> list[str]:
        return [m["body"] for m in self.messages if m["to"] == number]

    def count_to(self, number: str) -> int:
        return len(self.bodies_to(number))

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Poll until at least `count` messages are recorded; False on timeout."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def reset(self) -> None:
        self._call("/_fake/reset", {})

    def fail_next(self, n: int = 1, status: int = 429, code: int | None = None) -> None:
        self._call("/_fake/fail_next", {"n": n, "status": status, "code": code or ""})

    def fail_to(self, number: str, code: int = 21610, status: int = 400) -> None:
        self._call("/_fake/fail_to", {"number": number, "code": code, "status": status})

    def delay(self, seconds: float) -> None:
        self._call("/_fake/delay", {"seconds": seconds})

    def accept_then_drop_connection_next(self, n: int = 1) -> None:
        self._call("/_fake/drop_next", {"n": n})


def main(argv: list[str] | None = None) -> None:
    """Run a FakeTwilio until SIGTERM or Ctrl-C; print its base URL first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    args = parser.parse_args(argv)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with FakeTwilio(args.account_sid, args.auth_token, args.host, args.port) as fake:
        print(fake.base_url, flush=True)
        try:
            while not stopping.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
