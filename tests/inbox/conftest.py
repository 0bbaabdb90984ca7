"""A service that sends through the fake Twilio, at a frozen weekday morning in New York
(office hours) unless a test moves the clock; staff accounts signed in when a test asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from inboxkit import WEDNESDAY_10AM, sign_in

from secondopinion.settings import Settings
from webhooks import create_app


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def inbox_app(sending_settings: Settings, clock: time_machine.Traveller) -> Iterator[Flask]:
    app = create_app(sending_settings.model_copy(update={"secret_key": "test-secret-key"}))
    yield app
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def nadia(inbox_app: Flask) -> FlaskClient:
    return sign_in(inbox_app, "nadia")


@pytest.fixture
def omar(inbox_app: Flask) -> FlaskClient:
    return sign_in(inbox_app, "omar")
