"""The JSON Twilio answers with: Message and Call resources, and pages of them."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from twilio_double.rules import ListQuery, NewCall, NewMessage, num_segments

API_VERSION = "2010-04-01"


def _uri(account_sid: str, kind: str, sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/{kind}/{sid}"


def message(
    account_sid: str, sid: str, fields: NewMessage, status: str, direction: str, now: datetime
) -> dict[str, Any]:
    """A Message resource as created (or received) at `now`."""
    stamp, uri = format_datetime(now), _uri(account_sid, "Messages", sid)
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": fields.body,
        "date_created": stamp,
        "date_sent": stamp,
        "date_updated": stamp,
        "direction": direction,
        "error_code": None,
        "error_message": None,
        "from": fields.from_,
        "messaging_service_sid": fields.messaging_service_sid,
        "num_media": "0",
        "num_segments": str(num_segments(fields.body)),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": status,
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": fields.to,
        "uri": f"{uri}.json",
    }


def call(account_sid: str, sid: str, fields: NewCall, now: datetime) -> dict[str, Any]:
    """A Call resource as created at `now` (the fake starts a call when it is created)."""
    stamp, uri = format_datetime(now), _uri(account_sid, "Calls", sid)
    return {
        "account_sid": account_sid,
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": None,
        "date_created": stamp,
        "date_updated": stamp,
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": fields.from_,
        "from_formatted": fields.from_,
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": stamp,
        "status": "queued",
        "subresource_uris": {
            name: f"{uri}/{name.title()}.json" for name in ("notifications", "recordings")
        },
        "to": fields.to,
        "to_formatted": fields.to,
        "trunk_sid": None,
        "uri": f"{uri}.json",
    }


def message_record(sid: str, fields: NewMessage, status: str, now: datetime) -> dict[str, Any]:
    """What FakeTwilio.messages shows of a message."""
    return {
        "sid": sid,
        "to": fields.to,
        "from_": fields.from_,
        "messaging_service_sid": fields.messaging_service_sid,
        "body": fields.body,
        "status_callback": fields.status_callback,
        "validity_period": fields.validity_period,
        "status": status,
        "received_at": now,
    }


def call_record(sid: str, fields: NewCall, now: datetime) -> dict[str, Any]:
    """What FakeTwilio.calls shows of a call."""
    return {
        "sid": sid,
        "to": fields.to,
        "from_": fields.from_,
        "url": fields.url,
        "status_callback": fields.status_callback,
        "machine_detection": fields.machine_detection,
        "timeout": fields.timeout,
        "status": "queued",
        "received_at": now,
    }


def page(kind: str, path: str, query: ListQuery, found: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of `found` (newest first); next_page_uri carries PageToken=PA<last sid>."""
    size, number = query.page_size, query.page
    sids = [resource["sid"] for resource in found]
    after = (query.page_token or "")[2:]
    start = sids.index(after) + 1 if after in sids else number * size
    chunk = found[start : start + size]

    def page_uri(index: int, token: str | None) -> str:
        params: dict[str, object] = {**query.params, "PageSize": size, "Page": index}
        if token:
            params["PageToken"] = token
        return f"{path}?{urlencode(params)}"

    more = bool(chunk) and start + size < len(found)
    return {
        kind.lower(): chunk,
        "end": start + max(len(chunk), 1) - 1,
        "first_page_uri": page_uri(0, None),
        "next_page_uri": page_uri(number + 1, "PA" + chunk[-1]["sid"]) if more else None,
        "page": number,
        "page_size": size,
        "previous_page_uri": page_uri(number - 1, None) if number > 0 else None,
        "start": start,
        "uri": page_uri(number, query.page_token),
    }
