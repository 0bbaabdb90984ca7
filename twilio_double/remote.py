"""The /_fake/ control endpoints, and RemoteFakeTwilio that drives a fake in another process.

GET /_fake/messages, /_fake/received, /_fake/calls, /_fake/requests and /_fake/deleted read
what the fake recorded; POST /_fake/reset, /_fake/fail_next, /_fake/fail_to, /_fake/delay,
/_fake/drop_next, /_fake/receive and /_fake/set_status program it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode
from urllib.request import Request, urlopen

from twilio_double.server import Reply, error

if TYPE_CHECKING:
    from twilio_double.fake import FakeTwilio

READABLE = ("messages", "received", "calls", "requests", "deleted")


def _jsonable(row: object) -> object:
    if isinstance(row, Mapping):
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
    return row


def control(fake: FakeTwilio, method: str, path: str, body: bytes) -> Reply:
    """Answer one /_fake/ request for `fake`."""
    name = path.removeprefix("/_fake/")
    if method == "GET" and name in READABLE:
        return Reply(200, [_jsonable(row) for row in getattr(fake, name)])
    query = parse_qs(body.decode(errors="replace"), keep_blank_values=True)
    form = {k: v[0] for k, v in query.items()}
    actions: dict[str, Callable[[], object]] = {
        "reset": fake.reset,
        "fail_next": lambda: fake.fail_next(
            int(form.get("n", 1)),
            int(form.get("status", 429)),
            int(form["code"]) if form.get("code") else None,
        ),
        "fail_to": lambda: fake.fail_to(
            form["number"], int(form.get("code", 21610)), int(form.get("status", 400))
        ),
        "delay": lambda: fake.delay(float(form.get("seconds", 0))),
        "drop_next": lambda: fake.accept_then_drop_connection_next(int(form.get("n", 1))),
        "receive": lambda: fake.receive(
            form["from"],
            form["to"],
            form["body"],
            datetime.fromisoformat(form["at"]) if form.get("at") else None,
        ),
        "set_status": lambda: fake.set_status(
            form["sid"], form["status"], int(form["error_code"]) if form.get("error_code") else None
        ),
    }
    action = actions.get(name)
    if method != "POST" or action is None:
        return error(404, 20404, f"The requested resource {path} was not found")
    try:
        result = action()
    except (KeyError, ValueError) as problem:
        return error(400, 20001, f"Invalid control parameters: {problem}")
    return Reply(200, {"ok": True, "sid": result} if isinstance(result, str) else {"ok": True})


class RemoteFakeTwilio:
    """Inspects and programs a FakeTwilio in another process through its /_fake/ endpoints
    (a refused control call raises RuntimeError with the fake's answer)."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, path: str, form: Mapping[str, object] | None = None) -> Any:
        data = None if form is None else urlencode(form).encode()
        request = Request(self.base_url + path, data=data, method="GET" if data is None else "POST")
        try:
            with urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except HTTPError as refused:
            with refused:  # closed here, not left to the garbage collector
                detail = refused.read().decode(errors="replace")
            raise RuntimeError(f"{path} answered {refused.code}: {detail}") from None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """As FakeTwilio.messages, with received_at as an ISO 8601 string."""
        return list(self._call("/_fake/messages"))

    @property
    def received(self) -> list[dict[str, Any]]:
        return list(self._call("/_fake/received"))

    @property
    def calls(self) -> list[dict[str, Any]]:
        return list(self._call("/_fake/calls"))

    @property
    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("/_fake/requests"))

    @property
    def deleted(self) -> list[str]:
        return list(self._call("/_fake/deleted"))

    def bodies_to(self, number: str) -> list[str]:
        return [m["body"] for m in self.messages if m["to"] == number]

    def count_to(self, number: str) -> int:
        return len(self.bodies_to(number))

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Poll until at least `count` messages were accepted; False on timeout."""
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

    def receive(self, from_: str, to: str, body: str, at: datetime | None = None) -> str:
        """As FakeTwilio.receive; `at` should be timezone-aware."""
        form = {"from": from_, "to": to, "body": body, "at": at.isoformat() if at else ""}
        return str(self._call("/_fake/receive", form)["sid"])

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        form = {"sid": sid, "status": status, "error_code": error_code or ""}
        self._call("/_fake/set_status", form)
