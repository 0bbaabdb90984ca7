"""Builders for dashboard tests: signed-in requests, people who texted the service."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from store.models import ConversationRow
from tests.builders import reply

PASSWORD = "correct horse battery"
CSRF = "test-csrf-token"
ANA, BEN = "+12125550131", "+17875550132"


def post(client: FlaskClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": CSRF, **form}, base_url="https://localhost")


def get(client: FlaskClient, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, base_url="https://localhost")


def enrol(admin_app: Flask, phone: str, keyword: str = "SECOND", language: str = "1") -> int:
    """Text the keyword and a language, as a patient; the person's id."""
    client = admin_app.test_client()
    reply(client, phone, keyword)
    reply(client, phone, language)
    with admin_app.extensions["secondopinion"].sessions() as session:
        found = session.scalar(select(ConversationRow.id).where(ConversationRow.phone == phone))
    assert found is not None
    return found
