"""A local fake of Twilio's REST API v2010, trimmed to the Messages and Calls the service uses.

Point the official client at it::

    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        client = Client(ACCOUNT_SID, AUTH_TOKEN)
        client.api.base_url = fake.base_url
        client.messages.create(to="+12125550101", from_="+12125550100", body="hi")
        assert fake.bodies_to("+12125550101") == ["hi"]

or run it as its own process (`python -m twilio_double`) and drive it with RemoteFakeTwilio.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs

from twilio_double import resources, rules
from twilio_double.remote import control
from twilio_double.rules import ListQuery, NewCall, NewMessage
from twilio_double.server import JsonServer, Reply, error

RESOURCE_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<kind>Messages|Calls)"
    r"(?:/(?P<sid>[A-Z]{2}[0-9a-f]{32}))?\.json$"
)
ERROR_MESSAGES: dict[int, str] = {
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}
DEFAULT_CODES = {429: 20429, 500: 20500, 503: 20503}
Clock = Callable[[], datetime]


@dataclass(slots=True)
class _Entry:
    """One message or call: what tests inspect (record) and what the API returns."""

    record: dict[str, Any]
    resource: dict[str, Any]
    when: datetime  # date_sent / start time, whole seconds as Twilio shows them
    seq: int  # breaks ties between entries of the same second
    inbound: bool = False
    deleted: bool = False


@dataclass(slots=True)
class _Failures:
    """Programmed failures, consumed by POSTs to Messages.json and Calls.json."""

    next: deque[tuple[int, int]] = field(default_factory=deque)
    to: dict[str, tuple[int, int]] = field(default_factory=dict)
    drop_next: int = 0
    delay: float = 0.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeTwilio:
    """A threaded HTTP server on 127.0.0.1 that answers like api.twilio.com."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = _utc_now,
    ) -> None:
        self.account_sid, self.auth_token, self.clock = account_sid, auth_token, clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._messages: list[_Entry] = []
        self._calls: list[_Entry] = []
        self._requests: list[dict[str, Any]] = []
        self._deleted: list[str] = []
        self._failures = _Failures()
        self._seq = itertools.count()
        self._server = JsonServer(self.handle, host, port)

    # -- lifecycle -------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        """What to assign to `client.api.base_url`, e.g. "http://127.0.0.1:54321"."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the open connections and the listening socket."""
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- inspection ------------------------------------------------------------------

    def _records(self, store: list[_Entry], inbound: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e.record) for e in store if e.inbound == inbound]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages the API accepted, oldest first, deleted ones too: sid, to, from_,
        messaging_service_sid, body, status_callback, validity_period, status, received_at."""
        return self._records(self._messages)

    @property
    def received(self) -> list[dict[str, Any]]:
        """Inbound messages given to `receive`, in the order given (same keys)."""
        return self._records(self._messages, inbound=True)

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Calls the API accepted, oldest first: sid, to, from_, url, status_callback,
        machine_detection, timeout, status, received_at."""
        return self._records(self._calls)

    @property
    def deleted(self) -> list[str]:
        """Sids of the messages deleted through the API, in the order they were deleted."""
        with self._lock:
            return list(self._deleted)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every API request, refused ones too: method, path, query, status (None when the
        connection was dropped), received_at."""
        with self._lock:
            return [dict(request) for request in self._requests]

    def bodies_to(self, number: str) -> list[str]:
        """Bodies of the messages accepted for `number`, oldest first."""
        return [m["body"] for m in self.messages if m["to"] == number]

    def count_to(self, number: str) -> int:
        return len(self.bodies_to(number))

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least `count` messages were accepted; False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: sum(not e.inbound for e in self._messages) >= count, timeout
            )

    def reset(self) -> None:
        """Forget messages, calls, deletions and requests; cancel failures and delay."""
        with self._changed:
            self._messages.clear()
            self._calls.clear()
            self._requests.clear()
            self._deleted.clear()
            self._failures = _Failures()
            self._changed.notify_all()

    # -- programming -----------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 429, code: int | None = None) -> None:
        """Fail the next `n` authenticated creates with `status`, before any validation
        (429 carries Retry-After: 1; `code` defaults to 20429, 20500 or 20503)."""
        code = code if code is not None else DEFAULT_CODES.get(status, 20000 + status)
        with self._lock:
            self._failures.next.extend([(status, code)] * n)

    def fail_to(self, number: str, code: int = 21610, status: int = 400) -> None:
        """Refuse every valid create for `number` with Twilio's error `code`."""
        with self._lock:
            self._failures.to[number] = (status, code)

    def delay(self, seconds: float) -> None:
        """Wait `seconds` before handling each create (0 to stop)."""
        with self._lock:
            self._failures.delay = seconds

    def accept_then_drop_connection_next(self, n: int = 1) -> None:
        """Record the next `n` valid creates but close the socket without answering, as when
        Twilio accepted a message and the caller never learned its sid."""
        with self._lock:
            self._failures.drop_next += n

    def receive(self, from_: str, to: str, body: str, at: datetime | None = None) -> str:
        """A text a phone sent to the program's number: listed by `messages.list(to=...)`
        (a naive `at` is taken as UTC); returns its sid."""
        if not (rules.E164.match(from_) and rules.E164.match(to)):
            raise ValueError(f"not E.164 numbers: {from_!r} -> {to!r}")
        at = at or self.clock()
        when = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
        sid = "SM" + uuid.uuid4().hex
        fields = NewMessage(to, from_, None, body, None, None)
        entry = self._message(sid, fields, "received", "inbound", when)
        entry.inbound = True
        self._accept(self._messages, entry)
        return sid

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """Move a message (or call) on, e.g. queued -> delivered; KeyError if unknown."""
        allowed = rules.CALL_STATUSES if sid.startswith("CA") else rules.MESSAGE_STATUSES
        if status not in allowed:
            raise ValueError(f"not a status Twilio uses: {status}")
        with self._lock:
            store = self._calls if sid.startswith("CA") else self._messages
            entry = next((e for e in store if e.record["sid"] == sid and not e.deleted), None)
            if entry is None:
                raise KeyError(sid)
            entry.record["status"] = entry.resource["status"] = status
            entry.resource["date_updated"] = format_datetime(self.clock().astimezone(UTC))
            if not sid.startswith("CA"):
                entry.resource["error_code"] = error_code

    # -- request handling (called from the server's threads) -------------------------

    def handle(self, method: str, target: str, authorization: str | None, body: bytes) -> Reply:
        """Answer one HTTP request; records it unless it is a /_fake/ control call."""
        path, _, query = target.partition("?")
        if path.startswith("/_fake/"):
            return control(self, method, path, body)
        reply = self._route(method, path, query, authorization, body)
        status = None if reply.drop else reply.status
        request = {"method": method, "path": path, "query": query, "status": status}
        with self._lock:
            self._requests.append({**request, "received_at": self.clock()})
        return reply

    def _route(
        self, method: str, path: str, query: str, authorization: str | None, body: bytes
    ) -> Reply:
        match = RESOURCE_PATH.match(path)
        if match is None:
            return error(404, 20404, f"The requested resource {path} was not found")
        kind, sid = match["kind"], match["sid"]
        if method == "POST" and sid is None:
            with self._lock:
                pause = self._failures.delay
            time.sleep(pause)
        if not self._authorized(authorization) or match["account"] != self.account_sid:
            return error(401, 20003, "Authenticate")
        if sid is not None:
            return self._one(method, kind, sid, path)
        if method == "GET":
            parsed = rules.parse_list(kind, query)
            return parsed if isinstance(parsed, Reply) else self._list(kind, path, parsed)
        if method == "POST":
            return self._create(kind, parse_qs(body.decode(errors="replace"), True))
        return error(405, 20004, "Method not allowed")

    def _authorized(self, authorization: str | None) -> bool:
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode("latin-1").partition(":")
        except (binascii.Error, ValueError):
            return False
        return scheme.lower() == "basic" and (user, password) == (self.account_sid, self.auth_token)

    def _create(self, kind: str, form: rules.Form) -> Reply:
        """Programmed failures first (as a busy Twilio would), then Twilio's validation."""
        with self._lock:
            failure = self._failures.next.popleft() if self._failures.next else None
        if failure is not None:
            status, code = failure
            retry = (("Retry-After", "1"),) if status == 429 else ()
            return error(status, code, ERROR_MESSAGES.get(code, f"HTTP {status}"), *retry)
        fields = rules.parse_message(form) if kind == "Messages" else rules.parse_call(form)
        if isinstance(fields, Reply):
            return fields
        with self._lock:
            refusal = self._failures.to.get(fields.to)
        if refusal is not None:
            status, code = refusal
            return error(status, code, f"{ERROR_MESSAGES.get(code, f'Error {code}')}: {fields.to}")
        now = self.clock().astimezone(UTC)
        if isinstance(fields, NewCall):
            return self._accept(self._calls, self._call(fields, now))
        state = "accepted" if fields.from_ is None else "queued"  # a Messaging Service's first
        entry = self._message("SM" + uuid.uuid4().hex, fields, state, "outbound-api", now)
        return self._accept(self._messages, entry)

    def _message(
        self, sid: str, fields: NewMessage, status: str, direction: str, now: datetime
    ) -> _Entry:
        resource = resources.message(self.account_sid, sid, fields, status, direction, now)
        record = resources.message_record(sid, fields, status, now)
        return _Entry(record, resource, now.replace(microsecond=0), next(self._seq))

    def _call(self, fields: NewCall, now: datetime) -> _Entry:
        sid = "CA" + uuid.uuid4().hex
        resource = resources.call(self.account_sid, sid, fields, now)
        record = resources.call_record(sid, fields, now)
        return _Entry(record, resource, now.replace(microsecond=0), next(self._seq))

    def _accept(self, store: list[_Entry], entry: _Entry) -> Reply:
        """Record a created resource and answer 201 (or drop the connection)."""
        drop = False
        with self._changed:
            store.append(entry)
            if not entry.inbound and self._failures.drop_next > 0:
                self._failures.drop_next, drop = self._failures.drop_next - 1, True
            self._changed.notify_all()
        return Reply(201, entry.resource, drop=drop)

    def _one(self, method: str, kind: str, sid: str, path: str) -> Reply:
        """Fetch a message or a call; delete a message (204)."""
        if method not in ("GET", "DELETE") or (method == "DELETE" and kind != "Messages"):
            return error(405, 20004, "Method not allowed")
        with self._lock:
            store = self._messages if kind == "Messages" else self._calls
            entry = next((e for e in store if e.record["sid"] == sid and not e.deleted), None)
            if entry is None:
                return error(404, 20404, f"The requested resource {path} was not found")
            if method == "GET":
                return Reply(200, dict(entry.resource))
            entry.deleted = True
            self._deleted.append(sid)
        return Reply(204)

    def _list(self, kind: str, path: str, query: ListQuery) -> Reply:
        """One page of a read, newest first, filtered like ListMessage / ListCall."""
        names = {"To": "to", "From": "from"}

        def wanted(entry: _Entry) -> bool:
            same = all(entry.resource[names[k]] == v for k, v in query.filters.items())
            timely = all(rules.compare(entry.when, at) in ok for at, ok in query.bounds)
            return same and timely and not entry.deleted

        with self._lock:
            store = self._messages if kind == "Messages" else self._calls
            chosen = sorted(filter(wanted, store), key=lambda e: (e.when, e.seq), reverse=True)
            found = [dict(e.resource) for e in chosen]
        return Reply(200, resources.page(kind, path, query, found))
