"""Dashboard sessions on the server (staff_sessions table): opened, checked, ended at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from store.models import StaffSessionRow, StaffUserRow

TOUCH_EVERY = dt.timedelta(minutes=1)  # a page view writes `seen_at` at most once a minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, staff_id: int, now: dt.datetime) -> str:
    """A new session for this account; the token for the browser (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    row = {"token_hash": _hash(token), "staff_id": staff_id, "created_at": now, "seen_at": now}
    session.execute(insert(StaffSessionRow), [row])
    return token


def current(
    session: Session, token: str, now: dt.datetime, lifetime: dt.timedelta, idle: dt.timedelta
) -> str | None:
    """The signed-in name behind `token`; None (and the row deleted) once it has ended."""
    query = (
        select(StaffSessionRow, StaffUserRow.username)
        .join(StaffUserRow, StaffUserRow.id == StaffSessionRow.staff_id)
        .where(StaffSessionRow.token_hash == _hash(token))
    )
    found = session.execute(query).one_or_none()
    if found is None:
        return None
    row, username = found
    if now - row.created_at >= lifetime or now - row.seen_at >= idle:
        end(session, token)
        return None
    if now - row.seen_at > TOUCH_EVERY:
        touch = update(StaffSessionRow).where(StaffSessionRow.token_hash == row.token_hash)
        session.execute(touch.values(seen_at=now))
    return str(username)


def end(session: Session, token: str) -> None:
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_hash == _hash(token)))


def end_all(session: Session, staff_id: int) -> None:
    """Every session of this account, ended (a new password, the account removed)."""
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.staff_id == staff_id))


def end_others(session: Session, staff_id: int, token: str) -> None:
    """Every session of this account but the one behind `token` (a password changed)."""
    session.execute(
        delete(StaffSessionRow).where(
            StaffSessionRow.staff_id == staff_id, StaffSessionRow.token_hash != _hash(token)
        )
    )
