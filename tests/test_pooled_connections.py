"""Pooled PostgreSQL connections: pinged only after standing idle, a server-side drop
survived without a failed transaction, the plain statements' cursor kept per connection."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, exc, select, text
from sqlalchemy.orm import Session

from store.db import Plain, make_engine

pytestmark = pytest.mark.postgres
ONE = Plain(select(text("1")))


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every ping a dialect sends (counted, then sent for real)."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    sent: list[int] = []
    real_ping = PGDialect_psycopg.do_ping

    def counting(self: Any, dbapi_connection: Any) -> bool:
        sent.append(1)
        return real_ping(self, dbapi_connection)

    monkeypatch.setattr(PGDialect_psycopg, "do_ping", counting)
    return sent


def _engine(url: str, idle: float) -> Iterator[Engine]:
    engine = make_engine(url, pool_size=1, ping_after_idle=idle)
    yield engine
    engine.dispose()


@pytest.fixture
def busy(postgresql_url: str) -> Iterator[Engine]:
    yield from _engine(postgresql_url, idle=60.0)


@pytest.fixture
def quick_to_idle(postgresql_url: str) -> Iterator[Engine]:
    yield from _engine(postgresql_url, idle=0.05)


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_moments_ago_is_not_pinged(busy: Engine, pings: list[int]) -> None:
    for _ in range(5):
        with busy.begin() as connection:
            assert ONE.rows(connection, {}) == [(1,)]
    assert pings == []  # pool_pre_ping sent one before each transaction but the first


def test_a_connection_idle_past_the_limit_is_pinged_first(
    quick_to_idle: Engine, pings: list[int]
) -> None:
    _backend(quick_to_idle)
    time.sleep(0.1)
    _backend(quick_to_idle)
    assert len(pings) == 1


def test_a_connection_the_server_dropped_while_idle_is_replaced_without_an_error(
    quick_to_idle: Engine, pg: Engine
) -> None:
    first = _backend(quick_to_idle)
    with pg.begin() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    time.sleep(0.1)
    assert _backend(quick_to_idle) != first  # a new connection, and no error on the way


def test_plain_statements_keep_working_after_one_failed_and_after_a_new_connection(
    busy: Engine, pg: Engine
) -> None:
    failing = Plain(select(text("1/0")))
    with Session(busy) as session, session.begin(), pytest.raises(exc.DataError):
        failing.rows(session.connection(), {})
    with busy.begin() as connection:
        assert ONE.rows(connection, {}) == [(1,)]  # the failed statement's cursor is not reused
    dropped = _backend(busy)
    with pg.begin() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    with pytest.raises(exc.OperationalError), busy.begin() as connection:
        ONE.rows(connection, {})  # used moments ago, not pinged: this one finds it dropped
    with busy.begin() as connection:
        assert ONE.rows(connection, {}) == [(1,)]  # on the new connection, its own cursor
