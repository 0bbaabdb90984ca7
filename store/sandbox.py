"""Simulator sandboxes: fictional numbers whose clock runs ahead of the real one by an offset."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from store.models import ConversationRow, SandboxRow

# +1, any area code, then 555-0100 to 555-0199: the range kept for fiction, never a real phone.
FICTIONAL = re.compile(r"^\+1[2-9]\d{2}55501\d{2}$")


def is_fictional(phone: str) -> bool:
    return bool(FICTIONAL.match(phone))


def open_sandbox(session: Session, phone: str, now: dt.datetime) -> SandboxRow:
    """The sandbox for a fictional number, made on first use."""
    if not is_fictional(phone):
        raise ValueError("a sandbox needs a fictional number, +1 NPA 555 01XX")
    row = session.get(SandboxRow, phone)
    if row is None:
        row = SandboxRow(phone=phone, offset_seconds=0, created_at=now)
        session.add(row)
        session.flush()
    return row


def offset(session: Session, phone: str) -> dt.timedelta | None:
    """How far the number's clock is ahead; None when the number is not a sandbox."""
    seconds = session.scalar(select(SandboxRow.offset_seconds).where(SandboxRow.phone == phone))
    return None if seconds is None else dt.timedelta(seconds=seconds)


def is_sandbox(session: Session, phone: str) -> bool:
    """A simulator's phone: its texts are sent by the simulator, on its own clock."""
    return offset(session, phone) is not None


def set_clock(session: Session, phone: str, real_now: dt.datetime, to: dt.datetime) -> None:
    """Move the sandbox's clock so that it reads `to` now (never backwards)."""
    row = session.get(SandboxRow, phone, with_for_update=True)
    if row is None:
        raise LookupError("no sandbox for that number")
    ahead = math.ceil((to - real_now).total_seconds())  # never short of `to`
    row.offset_seconds = max(row.offset_seconds, ahead)


def sandbox_people() -> Select[Any]:
    """The ids of sandbox conversations: the real sweep leaves them to the simulator."""
    return select(ConversationRow.id).join(SandboxRow, SandboxRow.phone == ConversationRow.phone)
