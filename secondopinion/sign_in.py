"""Signing staff in without telling anyone which accounts exist or locking a real user out.

Limits are kept per address, never on the account alone: someone guessing from one
address slows down only that address, and the real user, elsewhere, still signs in.
- per name and address: FREE_TRIES wrong passwords, then a wait that doubles with each
  further one, up to MAX_WAIT;
- per address: ADDRESS_FAILURES wrong or refused tries in WINDOW, then nothing from it
  is checked until the window moves on.
Every answer but success is the same for a name that exists and one that does not: the
tries counted are those of the name as typed, from this address, so "3 tries left" or "wait
8 seconds" says nothing about which accounts exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from store import sign_ins, staff_sessions
from store import staff as store_staff
from store.models import StaffUserRow
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


@dataclasses.dataclass(frozen=True, slots=True)
class Refused:
    """A refusal, with what the person at the keyboard may know: tries left before a wait,
    and when the next try can be made (None: now)."""

    tries_left: int
    wait_until: dt.datetime | None


def audit_name(username: str, exists: bool) -> str:
    """The account's name; an unknown name only as a hash (it may be a mistyped password)."""
    name = normalise(username)[:64]
    return name if exists else "?" + hashlib.sha256(name.encode()).hexdigest()[:16]


def sign_in(
    session: Session, username: str, password: str, address: str, now: dt.datetime
) -> tuple[str, str] | Refused:
    """(name, session token) when the password is right and no limit applies."""
    account = find_account(session, username)
    refused = check_password(session, account, username, password, address, now)
    if refused is not None:
        return refused
    assert account is not None  # a right password needs an account
    sign_ins.record(session, now, account.username, address, sign_ins.OK)
    account.last_login_at = now
    return account.username, staff_sessions.open_session(session, account.id, now)


def check_password(
    session: Session,
    account: StaffUserRow | None,
    username: str,
    password: str,
    address: str,
    now: dt.datetime,
) -> Refused | None:
    """None when the password is right and no limit applies; a wrong or refused try is
    recorded and counted, the same way whether or not the account exists."""
    name = audit_name(username, account is not None)
    from_here = sign_ins.failures_from(session, address, now - WINDOW)
    failures, last = sign_ins.failures_of(session, name, address, now - WINDOW)
    until = last + wait_after(failures) if last is not None else None
    if from_here >= ADDRESS_FAILURES or (until is not None and now < until):
        password_matches(None, password)  # the same work as a check: timing tells nothing
        sign_ins.record(session, now, name, address, sign_ins.REFUSED)
        blocked = now + WINDOW if from_here >= ADDRESS_FAILURES else until
        return Refused(0, max(blocked or now, until or now))
    if account is None or not password_matches(account, password):
        sign_ins.record(session, now, name, address, sign_ins.FAILED)
        failed = failures + 1
        wait = wait_after(failed)
        return Refused(max(FREE_TRIES - failed, 0), now + wait if wait else None)
    return None


def sign_out(session: Session, username: str, token: str, address: str, now: dt.datetime) -> None:
    staff_sessions.end(session, token)
    sign_ins.record(session, now, username, address, sign_ins.SIGNED_OUT)


def change_password(
    session: Session,
    username: str,
    token: str,
    current: str,
    new: str,
    address: str,
    now: dt.datetime,
) -> Refused | None:
    """The owner's new password, after their current one (counted like a sign-in, so the
    form is no way around the limits); their other sessions end. None when it is done."""
    account = find_account(session, username)
    refused = check_password(session, account, username, current, address, now)
    if refused is not None:
        return refused
    assert account is not None
    store_staff.change_password(session, account, new, token)
    sign_ins.record(session, now, account.username, address, sign_ins.PASSWORD_CHANGED)
    return None
