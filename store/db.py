"""Engines and transactions: bounded waits, no values in errors, SQLite serialised like rows.

Every engine hides statement parameters from its errors (`hide_parameters`): a failed
insert must never print a patient's words or number into a log. An engine given
`Timeouts` gives up on a database that is down or slow within seconds, so a webhook can
answer 503 and Twilio can retry, instead of hanging until Twilio gives up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.pq import ExecStatus
from psycopg.rows import tuple_row
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    Executable,
    Integer,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    exc,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

TUPLES_OK = ExecStatus.TUPLES_OK
SQLITE_CHECK_EVERY = 1000  # SQLite virtual-machine steps between two looks at the deadline
# The database is down, unreachable, timed out (connect, statement, lock, pool) or the
# connection was lost mid-way: the same work can succeed later. Anything else is a bug.
UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
# A pooled connection idle longer than this is pinged before it is used again. One used
# more recently was working then: a database restart (stop, start) takes longer, so it is
# the idle connections a restart leaves broken, and only they pay the round trip.
PING_AFTER_IDLE_SECONDS = 1.0


@dataclasses.dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for a connection, and for any one statement (locks included)."""

    connect_seconds: int = 2  # libpq counts whole seconds, at least 2
    statement_seconds: float = 3.0


def make_engine(
    url: str,
    pool_size: int | None = None,
    timeouts: Timeouts | None = None,
    ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
    **kwargs: Any,
) -> Engine:
    """One engine per process. Without `timeouts` (migrations, tools) statements may run long.

    `pool_size=0` keeps no idle connections: each is closed when its transaction ends.
    `ping_after_idle`: PostgreSQL connections idle longer than this are pinged before use.
    """
    if pool_size == 0:
        kwargs["poolclass"] = NullPool
    elif pool_size is not None:
        kwargs["pool_size"] = pool_size
        if timeouts is not None:
            kwargs["pool_timeout"] = timeouts.connect_seconds  # waiting for a pooled connection
    if url.startswith("sqlite"):
        busy = timeouts.statement_seconds if timeouts else 30.0
        engine = create_engine(url, connect_args={"timeout": busy}, hide_parameters=True, **kwargs)
        _serialise_sqlite_writers(engine)
        if timeouts is not None:
            _limit_sqlite_statements(engine, timeouts.statement_seconds)
        return engine
    connect_args = _postgres_limits(timeouts) if timeouts else {}
    engine = create_engine(url, hide_parameters=True, connect_args=connect_args, **kwargs)
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """SQLAlchemy's `pool_pre_ping` pings at every checkout: one more round trip for every
    inbound text and every group of reminders (~7 % of a web worker's CPU). Here only a
    connection idle for `idle_seconds` is pinged; one that fails is replaced, with every
    other pooled connection older than it (as pre-ping does: the server was restarted)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or used moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError() from error  # the pool reconnects, once
            raise


def _postgres_limits(timeouts: Timeouts) -> dict[str, Any]:
    """libpq's connect timeout, the server's statement timeout, and a dead peer noticed."""
    statement_ms = int(timeouts.statement_seconds * 1000)
    return {
        "connect_timeout": max(2, timeouts.connect_seconds),
        # Sent with the connection's start-up: no extra round trip per transaction.
        "options": f"-c statement_timeout={statement_ms}",
        # A server that vanished mid-statement (no RST): the kernel gives up on unanswered
        # data after this, and keepalives find a silent idle connection.
        "tcp_user_timeout": statement_ms + timeouts.connect_seconds * 1000,
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
    }


def _serialise_sqlite_writers(engine: Engine) -> None:
    """BEGIN IMMEDIATE: two texts from one number wait for each other instead of interleaving."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin() below decide
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _limit_sqlite_statements(engine: Engine, seconds: float) -> None:
    """SQLite's own statement timeout: a progress handler interrupts a statement past it.

    (Waiting for the write lock is bounded by the busy timeout given at connect.)
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        deadline = _Deadline(seconds)
        dbapi_connection.set_progress_handler(deadline.passed, SQLITE_CHECK_EVERY)
        record.info["deadline"] = deadline

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(connection: Any, *_args: Any) -> None:
        connection.connection.info["deadline"].arm()

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(connection: Any, *_args: Any) -> None:
        connection.connection.info["deadline"].disarm()  # a COMMIT much later is not cut


class _Deadline:
    """When the statement running on one SQLite connection must give up."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.at = seconds, float("inf")

    def arm(self) -> None:
        self.at = time.monotonic() + self.seconds

    def disarm(self) -> None:
        self.at = float("inf")

    def passed(self) -> int:
        return 1 if time.monotonic() > self.at else 0  # non-zero: SQLite interrupts


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with sessions() as session, session.begin():
        yield session


class Plain:
    """A statement built once with SQLAlchemy and sent as plain SQL by psycopg on the
    session's pooled connection (PostgreSQL only): no compiled-cache lookup, parameter
    processing or result machinery per run, for the few statements every inbound text
    sends. The engine's `before_cursor_execute` / `after_cursor_execute` listeners still
    see it; a driver error is wrapped, and a lost connection invalidated, as SQLAlchemy
    does for its own statements. Parameters are passed as the driver takes them (aware
    datetimes, plain values): no type's bind or result processing runs."""

    __slots__ = ("_before", "_defaults", "_sql", "_statement")

    def __init__(self, statement: Executable, before: Plain | None = None) -> None:
        """`before`: a data-modifying statement sent in the same one, first (`WITH before AS
        (...)`); the two name their parameters differently."""
        self._statement = statement
        self._before = before
        self._sql = ""
        self._defaults: dict[str, Any] = {}

    def _compiled(self, dialect: Dialect) -> str:
        if not self._sql:
            compiled = self._statement.compile(dialect=dialect)  # type: ignore[attr-defined]
            defaults = {k: v for k, v in compiled.params.items() if v is not None}
            sql = str(compiled)
            if self._before is not None:
                sql = f"WITH before AS ({self._before._compiled(dialect)}) {sql}"
                defaults = {**self._before._defaults, **defaults}
            self._defaults = defaults
            self._sql = sql
        return self._sql

    def rows(self, connection: Connection, params: dict[str, Any], factory: Any = None) -> Any:
        """Every row the statement returns (tuples, or rows made by `factory`)."""
        sql = self._compiled(connection.dialect)
        values = {**self._defaults, **params} if self._defaults else params
        cursor = _cursor(connection.connection, factory)
        events = connection._has_events or connection.engine._has_events
        try:
            if events:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, sql, values, None, False
                )
            cursor.execute(sql, values)
            result = cursor.pgresult  # not cursor.description: it builds every column's
            found = cursor.fetchall() if result and result.status == TUPLES_OK else []
            if events:
                connection.dispatch.after_cursor_execute(
                    connection, cursor, sql, values, None, False
                )
        except Exception as error:  # wrapped and, if the connection was lost, invalidated
            cursor.close()
            connection._handle_dbapi_exception(error, sql, values, cursor, None)
        return found


def _cursor(pooled: Any, factory: Any) -> Any:
    """The pooled connection's own cursor for plain statements, made once and kept with it
    (making a psycopg cursor was the largest single cost of a plain statement); a closed
    one, or one of a connection since replaced, is made anew."""
    driver = pooled.driver_connection
    cursor = pooled.info.get("plain_cursor")
    if cursor is None or cursor.closed or cursor.connection is not driver:
        cursor = pooled.info["plain_cursor"] = driver.cursor()
    cursor.row_factory = factory or tuple_row
    return cursor


@dataclasses.dataclass(frozen=True, slots=True)
class Pending:
    """A write not sent yet, which the next statement may carry (`Plain(..., before=)`, on
    PostgreSQL) for one round trip fewer; `run` sends it alone."""

    plain: Plain
    params: dict[str, Any]
    elsewhere: Callable[[Session], None]  # the same write, on any database

    def run(self, session: Session) -> None:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            self.plain.rows(connection, self.params)
        else:
            self.elsewhere(session)


class _Ids(TypeDecorator[list[int]]):
    """A list of ids sent as one text literal, '{1,2,3}', cast to integer[] by the server:
    the driver dumps a string at C speed, where a list goes through Python element by
    element."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str:
        return "{" + ",".join(str(int(i)) for i in value) + "}"


def one_of(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """`column` (integer) is one of the ids given as parameter `name`: on PostgreSQL
    `= ANY(array)`, one parameter whatever the list's length (the statement's text stays the
    same, so the driver converts it once and the server prepares it once); elsewhere an
    expanding IN."""
    if dialect == "postgresql":
        ids = sql_cast(bindparam(name, type_=_Ids()), ARRAY(Integer))
        return column == any_(ids)
    return column.in_(bindparam(name, expanding=True))


def _iso(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def json_rows(rows: list[dict[str, Any]]) -> str:
    """Rows for PostgreSQL's `json_to_recordset`: many rows in one parameter, dumped by
    the json module's C encoder (a timestamp must be aware: it is written with its zone)."""
    return json.dumps(rows, default=_iso, separators=(",", ":"))
