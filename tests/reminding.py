"""Builders for reminder tests: a moveable clock, an enrolled patient, a sweep that sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from secondopinion.container import Services
from secondopinion.reminders.send import send_reminders
from secondopinion.reminders.sweep import sweep
from store.models import ConversationRow, ReminderRow
from tests.builders import reply

NY = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)  # type: ignore[misc]


@contextmanager
def clock(start: dt.datetime) -> Iterator[time_machine.Traveller]:
    """Frozen time for the web app and the workers alike; move it with `.move_to()`."""
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def sweep_and_send(svc: Services) -> dict[str, int]:
    """One beat sweep, its sends run here and now instead of on a worker."""
    return sweep(svc, lambda ids: send_reminders(svc, ids))


def enrol(client: FlaskClient, phone: str, keyword: str = "SECOND", *answers: str) -> None:
    reply(client, phone, keyword)
    for answer in answers or ("1",):
        reply(client, phone, answer)


def reminders(svc: Services, phone: str) -> list[ReminderRow]:
    with svc.sessions() as session:
        query = (
            select(ReminderRow)
            .join(ConversationRow)
            .where(ConversationRow.phone == phone)
            .order_by(ReminderRow.due_at)
        )
        return list(session.scalars(query))


def statuses(svc: Services, phone: str) -> dict[str, str]:
    return {r.key: r.status for r in reminders(svc, phone)}


def conversation(svc: Services, phone: str) -> ConversationRow:
    with svc.sessions() as session:
        query = select(ConversationRow).where(ConversationRow.phone == phone)
        return session.scalars(query).one()
