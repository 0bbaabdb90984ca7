"""Builders for reminder tests: a moveable clock, an enrolled patient, a sweep that sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from store.models import ConversationRow, ReminderRow
from tests.builders import reply
from workers.dispatch import send_reminders
from workers.runtime import Runtime
from workers.sweep import sweep

NY = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)  # type: ignore[misc]


@contextmanager
def clock(start: dt.datetime) -> Iterator[time_machine.Traveller]:
    """Frozen time for the web app and the workers alike; move it with `.move_to()`."""
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def sweep_and_send(rt: Runtime) -> dict[str, int]:
    """One beat sweep, its sends run here and now instead of on a worker."""
    return sweep(rt, lambda ids: send_reminders(rt, ids))


def enrol(client: FlaskClient, phone: str, keyword: str = "SECOND", *answers: str) -> None:
    reply(client, phone, keyword)
    for answer in answers or ("1",):
        reply(client, phone, answer)


def reminders(rt: Runtime, phone: str) -> list[ReminderRow]:
    with rt.sessions() as session:
        query = (
            select(ReminderRow)
            .join(ConversationRow)
            .where(ConversationRow.phone == phone)
            .order_by(ReminderRow.due_at)
        )
        return list(session.scalars(query))


def statuses(rt: Runtime, phone: str) -> dict[str, str]:
    return {r.key: r.status for r in reminders(rt, phone)}


def conversation(rt: Runtime, phone: str) -> ConversationRow:
    with rt.sessions() as session:
        query = select(ConversationRow).where(ConversationRow.phone == phone)
        return session.scalars(query).one()
