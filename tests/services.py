"""The real PostgreSQL and Redis the tests need (fail in CI, skip elsewhere), and their data."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.models import Base

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/secondopinion_test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = bool(os.environ.get("CI"))


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def require(url: str, what: str, how: str) -> None:
    """In CI a missing service is a failure; on a laptop, a skip that says how to get it."""
    if reachable(url):
        return
    message = f"{what} is not running at {urlsplit(url).netloc}; {how}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_postgres() -> None:
    require(
        POSTGRES_URL,
        "PostgreSQL",
        "start it (pg_ctlcluster ... main start) or set TEST_POSTGRES_URL",
    )


def require_redis() -> None:
    require(REDIS_URL, "Redis", "start it (redis-server --daemonize yes) or set TEST_REDIS_URL")


def _admin(url: str, *statements: str) -> None:
    """Run statements on the server's default database (CREATE / DROP DATABASE)."""
    admin = create_engine(
        url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def fresh_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_postgres_database(url: str) -> None:
    _admin(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def empty_tables(url: str) -> None:
    """Delete every row, children first: each test starts from an empty schema."""
    engine = make_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
