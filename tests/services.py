"""Finding the real PostgreSQL and Redis the tests need: fail in CI, skip elsewhere."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

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
