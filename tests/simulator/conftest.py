"""A sandbox-mode app on a local SQLite file (the only database it runs on), with CSRF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from simkit import with_csrf

from secondopinion.settings import Settings
from tests.services import empty_tables
from webhooks import create_app


@pytest.fixture
def database_url(sqlite_url: str) -> Iterator[str]:
    """The sandbox refuses any database but a SQLite file: these tests run on SQLite only."""
    yield sqlite_url
    empty_tables(sqlite_url)


@pytest.fixture
def sandbox_settings(settings: Settings) -> Settings:
    """No real Twilio setting at all, as `secondopinion serve` runs it."""
    blank = {"twilio_auth_token": "", "public_base_url": "", "twilio_account_sid": ""}
    return settings.model_copy(update={"sandbox": True, **blank})


@pytest.fixture
def sandbox_app(sandbox_settings: Settings) -> Iterator[Flask]:
    app = create_app(sandbox_settings)
    yield app
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def phone(sandbox_app: Flask) -> FlaskClient:
    return with_csrf(sandbox_app.test_client())


@pytest.fixture
def sessions(sandbox_app: Flask):  # type: ignore[no-untyped-def]
    return sandbox_app.extensions["secondopinion"].sessions
