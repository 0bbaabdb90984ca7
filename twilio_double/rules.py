"""What Twilio accepts from this service: API v2010's parameters, limits and error codes.

Only the parameters the service sends are accepted; any other is refused with 20001 (Twilio
would ignore it) so that a misspelt parameter fails a test instead of being dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec used to count segments)

from twilio_double.server import Reply, error

MESSAGE_PARAMETERS = frozenset(
    {"To", "From", "MessagingServiceSid", "Body", "StatusCallback", "ValidityPeriod"}
)
CALL_PARAMETERS = frozenset({"To", "From", "Url", "StatusCallback", "MachineDetection", "Timeout"})
PAGING = frozenset({"PageSize", "Page", "PageToken"})
FILTERS = {
    "Messages": ("DateSent", frozenset({"To", "From"})),
    "Calls": ("StartTime", frozenset({"To"})),
}
MESSAGE_STATUSES = frozenset(
    {"queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving"}
    | {"received", "accepted", "scheduled", "read", "partially_delivered", "canceled"}
)
CALL_STATUSES = frozenset(
    {"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"}
)
MACHINE_DETECTION = frozenset({"Enable", "DetectMessageEnd"})
MAX_BODY, MAX_VALIDITY_PERIOD, MAX_CALL_TIMEOUT, MAX_PAGE_SIZE = 1600, 36000, 600, 1000

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
PARAMETER_ERROR = 20001  # the fake's code for unknown or malformed parameters

Form = Mapping[str, list[str]]
Bound = tuple[date | datetime, frozenset[int]]  # a day or an instant; allowed comparisons


@dataclass(frozen=True, slots=True)
class NewMessage:
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    validity_period: int | None


@dataclass(frozen=True, slots=True)
class NewCall:
    to: str
    from_: str
    url: str
    status_callback: str | None
    machine_detection: str | None
    timeout: int | None


@dataclass(frozen=True, slots=True)
class ListQuery:
    params: dict[str, str]  # the filters as given, kept in the page URIs
    filters: dict[str, str]  # To / From
    bounds: tuple[Bound, ...]
    page_size: int
    page: int
    page_token: str | None


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


def _positive(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def _unknown(given: Mapping[str, object], allowed: frozenset[str]) -> Reply | None:
    unknown = sorted(set(given) - allowed)
    return error(400, PARAMETER_ERROR, f"Unknown parameter: {unknown[0]}") if unknown else None


def parse_message(form: Form) -> NewMessage | Reply:
    """CreateMessage, as `client.messages.create` posts it."""
    if refused := _unknown(form, MESSAGE_PARAMETERS):
        return refused
    one = {name: values[0] for name, values in form.items() if values}
    to, sender, service = one.get("To"), one.get("From"), one.get("MessagingServiceSid")
    body, callback, validity = (
        one.get("Body", ""),
        one.get("StatusCallback"),
        one.get("ValidityPeriod"),
    )
    if not to:
        return error(400, 21604, "A 'To' phone number is required.")
    if not E164.match(to):
        return error(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not sender and not service:
        return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
    if sender and not E164.match(sender):
        return error(400, 21212, f"Invalid 'From' Phone Number: {sender}")
    if service and not MESSAGING_SERVICE_SID.match(service):
        return error(400, 21701, f"The Messaging Service Sid {service} is invalid.")
    if not body:
        return error(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY:
        return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    if callback is not None and not is_absolute_url(callback):
        return error(400, 21609, f"Invalid 'StatusCallback': {callback}")
    period = None if validity is None else _positive(validity)
    if validity is not None and period is None:
        return error(400, 90014, "Validity Period should be positive integer")
    if period is not None and period > MAX_VALIDITY_PERIOD:
        return error(400, 90007, "Invalid validity period value")
    return NewMessage(to, sender or None, service or None, body, callback, period)


def parse_call(form: Form) -> NewCall | Reply:
    """CreateCall, as `client.calls.create` posts it."""
    if refused := _unknown(form, CALL_PARAMETERS):
        return refused
    one = {name: values[0] for name, values in form.items() if values}
    to, sender, url = one.get("To"), one.get("From"), one.get("Url")
    callback, detection, timeout = (
        one.get("StatusCallback"),
        one.get("MachineDetection"),
        one.get("Timeout"),
    )
    if not to:
        return error(400, 21201, "No 'To' number is specified")
    if not E164.match(to):
        return error(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not sender:
        return error(400, 21213, "Caller phone number is required")
    if not E164.match(sender):
        return error(400, 21212, f"Invalid 'From' Phone Number: {sender}")
    if not url:
        return error(400, 21205, "Url parameter is required")
    if not is_absolute_url(url):
        return error(400, 21205, f"Invalid Url: {url}")
    if callback is not None and not is_absolute_url(callback):
        return error(400, 21609, f"Invalid 'StatusCallback': {callback}")
    if detection is not None and detection not in MACHINE_DETECTION:
        return error(400, 21200, f"Invalid MachineDetection: {detection}")
    seconds = None if timeout is None else _positive(timeout)
    if timeout is not None and (seconds is None or seconds > MAX_CALL_TIMEOUT):
        return error(400, 21200, f"Invalid Timeout: {timeout}")
    return NewCall(to, sender, url, callback, detection, seconds)


def _parse_when(value: str, day_only: bool) -> date | datetime:
    """`YYYY-MM-DD` or an ISO 8601 instant (the client sends "YYYY-MM-DDTHH:MM:SSZ")."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date() if day_only else moment.astimezone(UTC)


def parse_list(kind: str, query: str) -> ListQuery | Reply:
    """ListMessage / ListCall: To (From), a date field with < and > (inclusive), paging."""
    field, plain = FILTERS[kind]
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if refused := _unknown(params, plain | PAGING | {field, f"{field}<", f"{field}>"}):
        return refused
    try:
        bounds = tuple(
            (_parse_when(params[name], day_only=name == field), allowed)
            for name, allowed in (
                (field, frozenset({0})),
                (f"{field}<", frozenset({-1, 0})),
                (f"{field}>", frozenset({0, 1})),
            )
            if name in params
        )
        page_size, page = int(params.get("PageSize", 50)), int(params.get("Page", 0))
    except ValueError as problem:
        return error(400, PARAMETER_ERROR, f"Invalid parameter: {problem}")
    if page_size < 1 or page < 0:
        return error(400, PARAMETER_ERROR, "PageSize must be positive and Page not negative")
    kept = {k: v for k, v in params.items() if k not in PAGING}
    filters = {name: params[name] for name in sorted(plain) if name in params}
    token = params.get("PageToken") or None
    return ListQuery(kept, filters, bounds, min(page_size, MAX_PAGE_SIZE), page, token)


def compare(moment: datetime, bound: date | datetime) -> int:
    """-1, 0 or 1 as `moment` is before, at or after `bound` (a day or an instant)."""
    if isinstance(bound, datetime):
        return (moment > bound) - (moment < bound)
    day = moment.date()
    return (day > bound) - (day < bound)
