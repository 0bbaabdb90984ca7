"""Every sign-in attempt (sign_ins table): the audit trail, and what sign-in limits count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from store.models import SignInRow

OK, FAILED, REFUSED, SIGNED_OUT = "ok", "failed", "refused", "signed_out"
PASSWORD_CHANGED = "new_password"  # fits the outcome column (12)


def record(session: Session, at: dt.datetime, username: str, address: str, outcome: str) -> None:
    row = {"at": at, "username": username[:64], "address": address[:64], "outcome": outcome}
    session.execute(insert(SignInRow), [row])


def failures_from(session: Session, address: str, since: dt.datetime) -> int:
    """Wrong or refused attempts from this address since then, whatever the name."""
    query = select(func.count()).where(
        SignInRow.address == address,
        SignInRow.at >= since,
        SignInRow.outcome.in_((FAILED, REFUSED)),
    )
    return session.scalar(query) or 0


def failures_of(
    session: Session, username: str, address: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Wrong passwords for this name from this address since then (or its last success)."""
    mine = (SignInRow.username == username, SignInRow.address == address, SignInRow.at >= since)
    last_ok = session.scalar(select(func.max(SignInRow.at)).where(*mine, SignInRow.outcome == OK))
    query = select(func.count(), func.max(SignInRow.at)).where(
        *mine, SignInRow.outcome == FAILED, SignInRow.at > (last_ok or since - dt.timedelta(1))
    )
    count, last = session.execute(query).one()
    return int(count or 0), last
