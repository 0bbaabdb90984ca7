"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the web app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from secondopinion.container import Services, build
from secondopinion.settings import Settings
from store.db import make_engine
from store.migrate import upgrade
from tests.builders import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL, SENDER_NUMBER
from tests.services import (
    POSTGRES_URL,
    REDIS_URL,
    drop_postgres_database,
    empty_tables,
    fresh_postgres_database,
    require_postgres,
    require_redis,
)
from tests.tcp_proxy import TcpProxy
from twilio_double import FakeTwilio
from webhooks import create_app

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


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
    fresh_postgres_database(url)
    upgrade(url)
    yield url
    drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database on each backend, emptied after every test."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    yield url
    empty_tables(url)


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
        program_org_es="el Equipo de Navegación de Pacientes",
        program_contact_es="(212) 555-0199",
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
def svc(sending_settings: Settings) -> Iterator[Services]:
    svc = build(sending_settings)
    yield svc
    svc.engine.dispose()


# -- real processes: PostgreSQL behind a proxy a test can cut, Redis of this run ----------


@pytest.fixture
def pg(postgresql_url: str) -> Iterator[Engine]:
    engine = make_engine(postgresql_url)
    yield engine
    engine.dispose()
    empty_tables(postgresql_url)


@pytest.fixture
def proxy(postgresql_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(postgresql_url)
    with TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432)) as running_proxy:
        yield running_proxy


@pytest.fixture
def broker_url() -> Iterator[str]:
    require_redis()
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()
