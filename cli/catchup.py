"""`secondopinion catch-up --since …`: take in what Twilio has that the service missed."""

from __future__ import annotations

import datetime as dt
import re

import click

from secondopinion.catchup import catch_up
from secondopinion.container import build
from secondopinion.settings import Settings

_AGO = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str, now: dt.datetime) -> dt.datetime:
    """`90m`, `6h`, `2d` ago, or an ISO 8601 time (UTC when it names no zone)."""
    ago = _AGO.match(value.strip().lower())
    if ago:
        return now - dt.timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise click.BadParameter("use 90m, 6h, 2d or a time like 2026-12-01T14:30") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def run_catch_up(settings: Settings, since: str) -> dict[str, int]:
    if not settings.twilio_account_sid:
        raise click.UsageError("TWILIO_ACCOUNT_SID is not set: there is no Twilio log to read")
    svc = build(settings)
    try:
        now = svc.clock()
        return catch_up(svc, now, parse_since(since, now))
    finally:
        svc.engine.dispose()
