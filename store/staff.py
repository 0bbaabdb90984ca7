"""Staff accounts (hashed passwords, lockout after failures) and the log of what staff did."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from store.models import StaffActionRow, StaffUserRow

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10


class Login(StrEnum):
    OK = "ok"
    BAD = "bad"  # unknown name or wrong password: the page says the same for both
    LOCKED = "locked"


@dataclasses.dataclass(frozen=True, slots=True)
class LoginResult:
    outcome: Login
    username: str = ""


def normalise(username: str) -> str:
    return username.strip().lower()


def add_staff(session: Session, username: str, password: str, now: dt.datetime) -> StaffUserRow:
    """A new account, or a new password for an existing one (which also lifts a lockout)."""
    name = normalise(username)
    if not name or len(password) < MIN_PASSWORD:
        raise ValueError(f"a username and a password of at least {MIN_PASSWORD} characters")
    row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == name))
    if row is None:
        row = StaffUserRow(username=name, created_at=now)
        session.add(row)
    row.password_hash = generate_password_hash(password)
    row.failed_logins, row.locked_until = 0, None
    return row


def authenticate(session: Session, username: str, password: str, now: dt.datetime) -> LoginResult:
    """Check a sign-in; after MAX_FAILURES wrong passwords the account waits LOCKOUT."""
    query = select(StaffUserRow).where(StaffUserRow.username == normalise(username))
    row = session.scalar(query.with_for_update())
    if row is None:
        generate_password_hash(password)  # the same work as a real check, so timing tells nothing
        return LoginResult(Login.BAD)
    if row.locked_until is not None and row.locked_until > now:
        return LoginResult(Login.LOCKED)
    if not check_password_hash(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILURES:
            row.failed_logins, row.locked_until = 0, now + LOCKOUT
            return LoginResult(Login.LOCKED)
        return LoginResult(Login.BAD)
    row.failed_logins, row.locked_until, row.last_login_at = 0, None, now
    return LoginResult(Login.OK, row.username)


def record_action(
    session: Session,
    conversation_id: int | None,
    username: str,
    action: str,
    detail: str,
    at: dt.datetime,
) -> None:
    session.add(
        StaffActionRow(
            conversation_id=conversation_id, username=username, action=action, detail=detail, at=at
        )
    )


def unlink(session: Session, person: int) -> None:
    """The person is being erased: what staff did stays, without them or its details."""
    done = update(StaffActionRow).where(StaffActionRow.conversation_id == person)
    session.execute(done.values(conversation_id=None, detail=""))
