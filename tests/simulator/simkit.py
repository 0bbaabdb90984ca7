"""Builders for simulator tests: a sandbox app, a phone opened in it, texts and clock jumps."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import select

from store.models import ConversationRow, MessageRow, ReminderRow

TOKEN = "test-csrf-token"


def with_csrf(client: FlaskClient) -> FlaskClient:
    with client.session_transaction() as session:
        session["csrf_token"] = TOKEN
    return client


def open_phone(client: FlaskClient, area: str = "212", last: str = "42") -> str:
    """Open a sandbox phone as the picker does; its URL."""
    response = client.post("/simulator", data={"area": area, "last": last, "csrf_token": TOKEN})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def text(client: FlaskClient, url: str, body: str) -> str:
    """Type a text on the simulated phone; the screen's HTML afterwards."""
    response = client.post(
        f"{url}/text",
        data={"body": body, "csrf_token": TOKEN},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def jump(client: FlaskClient, url: str, how: str = "next", amount: int = 1) -> str:
    response = client.post(
        f"{url}/jump",
        data={"how": how, "amount": str(amount), "csrf_token": TOKEN},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def messages(sessions, phone: str) -> list[MessageRow]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        query = (
            select(MessageRow)
            .join(ConversationRow)
            .where(ConversationRow.phone == phone)
            .order_by(MessageRow.created_at, MessageRow.id)
        )
        return list(session.scalars(query))


def reminders(sessions, phone: str) -> list[ReminderRow]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        query = (
            select(ReminderRow)
            .join(ConversationRow)
            .where(ConversationRow.phone == phone)
            .order_by(ReminderRow.due_at)
        )
        return list(session.scalars(query))


def in_future(days: int) -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)
