"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the web app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from secondopinion.settings import Settings
from store.db import make_engine
from store.migrate import upgrade
from store.models import Base
from tests.builders import AUTH_TOKEN, PUBLIC_BASE_URL
from tests.fake_twilio import FakeTwilio
from tests.services import POSTGRES_URL, require_postgres
from webhooks import create_app
from workers.runtime import Runtime

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _admin(url: str, *statements: str) -> None:
    """Run statements on the server's default database (CREATE / DROP DATABASE)."""
    admin = create_engine(
        url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def _fresh_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def _drop_postgres_database(url: str) -> None:
    _admin(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A database of this run's own, so two test runs on one server never meet."""
    require_postgres()
    url = f"{POSTGRES_URL}_{os.getpid()}"
    _fresh_postgres_database(url)
    upgrade(url)
    yield url
    _drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database on each backend, emptied after every test."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    yield url
    _empty_tables(url)


def _empty_tables(url: str) -> None:
    engine = make_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        database_pool_size=0,  # nothing idle left behind between tests
        twilio_auth_token=AUTH_TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        embedded_broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        program_name="Second Opinion Prep",
        program_org="the Patient Navigation Team",
        program_contact="(212) 555-0199",
    )


@pytest.fixture
def app(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Flask]:
    """The web app; with the same settings as the workers when a test sends reminders."""
    if "sending_settings" in request.fixturenames:
        settings = request.getfixturevalue("sending_settings")
    app = create_app(settings)
    yield app
    engine: Engine = app.extensions["secondopinion"].engine
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


ACCOUNT_SID = "AC" + "5" * 32
SENDER_NUMBER = "+12125550100"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def sending_settings(settings: Settings, fake_twilio: FakeTwilio) -> Settings:
    """Settings of a service that sends through the local fake Twilio."""
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_from_number": SENDER_NUMBER,
            "twilio_api_base_url": fake_twilio.base_url,
            "send_rate_per_second": 1000.0,
        }
    )


@pytest.fixture
def runtime(sending_settings: Settings) -> Iterator[Runtime]:
    rt = Runtime.build(sending_settings)
    yield rt
    rt.sessions.kw["bind"].dispose()
