"""A service that sends through the fake Twilio, at a frozen weekday morning in New York
(office hours) unless a test moves the clock; staff accounts signed in when a test asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from inboxkit import METRICS_TOKEN, WEDNESDAY_10AM, sign_in

from secondopinion.settings import Settings
from webhooks import create_app


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def inbox_app(sending_settings: Settings, clock: time_machine.Traveller) -> Iterator[Flask]:
    # Tests move the clock by hours and days: the dashboard's idle and absolute session
    # limits (tested in tests/admin/test_sessions.py) would sign staff out on the way.
    update = {
        "secret_key": "test-secret-key",
        "metrics_token": METRICS_TOKEN,
        "staff_idle_minutes": 60 * 24 * 60,
        "staff_session_hours": 24 * 60,
    }
    app = create_app(sending_settings.model_copy(update=update))
    yield app
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def nadia(inbox_app: Flask) -> FlaskClient:
    return sign_in(inbox_app, "nadia")


@pytest.fixture
def omar(inbox_app: Flask) -> FlaskClient:
    return sign_in(inbox_app, "omar")
