"""Builders for inbox tests: staff signed in, patients texting, and what the tables hold."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from store.db import transaction
from store.models import CaseRow, ConversationRow, ReminderRow, StaffUserRow
from store.staff import add_staff
from tests.builders import sms
from tests.reminding import NY, at

PASSWORD = "correct horse battery"
CSRF = "test-csrf-token"
ANA = "+12125550151"  # New York, English
BEA = "+17875550152"  # Puerto Rico, Spanish
WEDNESDAY_10AM = at(NY, 2026, 12, 16, 10, 0)  # office hours, on a weekday


def post(client: FlaskClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": CSRF, **form}, base_url="https://localhost")


def get(client: FlaskClient, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, base_url="https://localhost")


def page(client: FlaskClient, path: str) -> str:
    response = get(client, path)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def sign_in(app: Flask, name: str) -> FlaskClient:
    """A client of `name`, a staff account made now if it is new."""
    with transaction(app.extensions["secondopinion"].sessions) as session:
        if session.scalar(select(StaffUserRow.id).where(StaffUserRow.username == name)) is None:
            add_staff(session, name, PASSWORD, dt.datetime.now(dt.UTC))
    client = app.test_client()
    with client.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    assert post(client, "/admin/login", username=name, password=PASSWORD).status_code == 303
    with client.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    return client


def texts(app: Flask, phone: str, *bodies: str) -> list[list[str]]:
    """Each text in turn from `phone`; what the patient got back for each."""
    client = app.test_client()
    return [sms(client, phone, body) for body in bodies]


def enrol_spanish(app: Flask, phone: str = BEA) -> None:
    texts(app, phone, "SEGUNDA", "2", "TODAVÍA NO", "NO")


def enrol_english(app: Flask, phone: str = ANA) -> None:
    texts(app, phone, "SECOND", "1", "NOT YET", "NO")


def person_id(app: Flask, phone: str) -> int:
    with app.extensions["secondopinion"].sessions() as session:
        found = session.scalar(select(ConversationRow.id).where(ConversationRow.phone == phone))
    assert found is not None
    return found


def cases_of(app: Flask, phone: str) -> list[CaseRow]:
    with app.extensions["secondopinion"].sessions() as session:
        query = select(CaseRow).join(ConversationRow).where(ConversationRow.phone == phone)
        return list(session.scalars(query.order_by(CaseRow.id)))


def staff_texts(app: Flask, phone: str) -> list[ReminderRow]:
    with app.extensions["secondopinion"].sessions() as session:
        query = (
            select(ReminderRow)
            .join(ConversationRow)
            .where(ConversationRow.phone == phone, ReminderRow.kind == "reply")
        )
        return list(session.scalars(query.order_by(ReminderRow.id)))


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


METRICS_TOKEN = "inbox-metrics-token"


def metrics(app: Flask) -> str:
    """What Prometheus would scrape, with the bearer token /metrics asks for."""
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    return app.test_client().get("/metrics", headers=headers).get_data(as_text=True)
