"""Signing staff in without telling anyone which accounts exist or locking a real user out.

Limits are kept per address, never on the account alone: someone guessing from one
address slows down only that address, and the real user, elsewhere, still signs in.
- per name and address: FREE_TRIES wrong passwords, then a wait that doubles with each
  further one, up to MAX_WAIT;
- per address: ADDRESS_FAILURES wrong or refused tries in WINDOW, then nothing from it
  is checked until the window moves on.
Every answer but success is the same, a name that exists or not, refused or wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from store import sign_ins, staff_sessions
from store.staff import find_account, normalise, password_matches

FREE_TRIES = 5
MAX_WAIT = dt.timedelta(minutes=15)
WINDOW = dt.timedelta(minutes=15)
ADDRESS_FAILURES = 30


def wait_after(failures: int) -> dt.timedelta:
    """How long a name must wait, from one address, after this many wrong passwords."""
    if failures < FREE_TRIES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** (failures - FREE_TRIES)), MAX_WAIT)


def audit_name(username: str, exists: bool) -> str:
    """The account's name; an unknown name only as a hash (it may be a mistyped password)."""
    name = normalise(username)[:64]
    return name if exists else "?" + hashlib.sha256(name.encode()).hexdigest()[:16]


def sign_in(
    session: Session, username: str, password: str, address: str, now: dt.datetime
) -> tuple[str, str] | None:
    """(name, session token) when the password is right and no limit applies; else None."""
    account = find_account(session, username)
    name = audit_name(username, account is not None)
    from_here = sign_ins.failures_from(session, address, now - WINDOW)
    failures, last = sign_ins.failures_of(session, name, address, now - WINDOW)
    waiting = last is not None and now < last + wait_after(failures)
    if from_here >= ADDRESS_FAILURES or waiting:
        password_matches(None, password)  # the same work as a check: timing tells nothing
        sign_ins.record(session, now, name, address, sign_ins.REFUSED)
        return None
    if account is None or not password_matches(account, password):
        sign_ins.record(session, now, name, address, sign_ins.FAILED)
        return None
    sign_ins.record(session, now, name, address, sign_ins.OK)
    account.last_login_at = now
    return account.username, staff_sessions.open_session(session, account.id, now)


def sign_out(session: Session, username: str, token: str, address: str, now: dt.datetime) -> None:
    staff_sessions.end(session, token)
    sign_ins.record(session, now, username, address, sign_ins.SIGNED_OUT)
