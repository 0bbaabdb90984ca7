"""Heartbeats (heartbeats table): when a periodic job last finished, and watermarks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import HeartbeatRow

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

SWEEP = "sweep"  # the last sweep a worker finished: beat, broker, worker and database all work
CATCH_UP = "catch_up"  # the last catch-up a worker finished
INBOUND = "inbound"  # every inbound text sent before this is stored (or was looked for)
RETENTION = "retention"  # the last run of the retention job


def beat(session: Session, name: str, at: dt.datetime) -> None:
    """Record `name` at `at`, in place: one row per name, always the latest."""
    add = _INSERTS[session.get_bind().dialect.name](HeartbeatRow).values(name=name, at=at)
    session.execute(add.on_conflict_do_update(index_elements=["name"], set_={"at": at}))


def last(session: Session, name: str) -> dt.datetime | None:
    return session.scalar(select(HeartbeatRow.at).where(HeartbeatRow.name == name))


def every(session: Session) -> dict[str, dt.datetime]:
    return {name: at for name, at in session.execute(select(HeartbeatRow.name, HeartbeatRow.at))}
