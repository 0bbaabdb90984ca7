"""A service with a staff account, a signed-in test client, and people who texted it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from adminkit import CSRF, PASSWORD, post
from flask import Flask
from flask.testing import FlaskClient

from secondopinion.settings import Settings
from store.db import transaction
from store.staff import add_staff
from webhooks import create_app


@pytest.fixture
def admin_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(
        settings.model_copy(
            update={"secret_key": "test-secret-key", "metrics_token": "test-metrics-token"}
        )
    )
    with transaction(app.extensions["secondopinion"].sessions) as session:
        add_staff(session, "Nadia", PASSWORD, dt.datetime.now(dt.UTC))
    yield app
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def guest(admin_app: Flask) -> FlaskClient:
    """Not signed in, but holding a CSRF token as a browser that loaded the form would."""
    client = admin_app.test_client()
    with client.session_transaction(base_url="https://localhost") as session:
        session["csrf_token"] = CSRF
    return client


@pytest.fixture
def staff(guest: FlaskClient) -> FlaskClient:
    response = post(guest, "/admin/login", username="nadia", password=PASSWORD)
    assert response.status_code == 303, response.get_data(as_text=True)
    with guest.session_transaction(base_url="https://localhost") as session:
        assert "csrf_token" not in session  # signing in starts a fresh session
        session["csrf_token"] = CSRF
    return guest
