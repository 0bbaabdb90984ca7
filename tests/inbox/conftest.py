"""A service that sends through the fake Twilio, with two staff accounts signed in, at a
frozen weekday morning in New York (office hours) unless a test moves the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from inboxkit import PASSWORD, WEDNESDAY_10AM, sign_in

from secondopinion.settings import Settings
from store.db import transaction
from store.staff import add_staff
from webhooks import create_app


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def inbox_app(sending_settings: Settings, clock: time_machine.Traveller) -> Iterator[Flask]:
    app = create_app(sending_settings.model_copy(update={"secret_key": "test-secret-key"}))
    with transaction(app.extensions["secondopinion"].sessions) as session:
        for name in ("nadia", "omar"):
            add_staff(session, name, PASSWORD, dt.datetime.now(dt.UTC))
    yield app
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def nadia(inbox_app: Flask) -> FlaskClient:
    return sign_in(inbox_app, "nadia")


@pytest.fixture
def omar(inbox_app: Flask) -> FlaskClient:
    return sign_in(inbox_app, "omar")
