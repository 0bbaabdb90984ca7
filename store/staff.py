"""Staff accounts (hashed passwords) and the log of what staff did to a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from store import staff_sessions
from store.models import StaffActionRow, StaffUserRow

MIN_PASSWORD = 10
_NO_ACCOUNT = generate_password_hash("no account has this password")


def normalise(username: str) -> str:
    return username.strip().lower()


def add_staff(session: Session, username: str, password: str, now: dt.datetime) -> StaffUserRow:
    """A new account, or a new password for one: which ends every session it had."""
    name = normalise(username)
    if not name or len(password) < MIN_PASSWORD:
        raise ValueError(f"a username and a password of at least {MIN_PASSWORD} characters")
    row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == name))
    if row is None:
        row = StaffUserRow(username=name, created_at=now, failed_logins=0)
        session.add(row)
    else:
        staff_sessions.end_all(session, row.id)
    row.password_hash = generate_password_hash(password)
    session.flush()
    return row


def remove_staff(session: Session, username: str) -> bool:
    """The account and its sessions, gone; False when there was none."""
    row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == normalise(username)))
    if row is None:
        return False
    staff_sessions.end_all(session, row.id)
    session.delete(row)
    return True


def find_account(session: Session, username: str) -> StaffUserRow | None:
    query = select(StaffUserRow).where(StaffUserRow.username == normalise(username))
    return session.scalar(query.with_for_update())


def password_matches(row: StaffUserRow | None, password: str) -> bool:
    """The same scrypt work whether or not the account exists, so timing tells nothing."""
    matches = check_password_hash(row.password_hash if row else _NO_ACCOUNT, password)
    return matches and row is not None


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


def change_password(session: Session, row: StaffUserRow, password: str, keep: str) -> None:
    """A new password chosen by its owner: every other session of theirs ends."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password of at least {MIN_PASSWORD} characters")
    row.password_hash = generate_password_hash(password)
    staff_sessions.end_others(session, row.id, keep)
