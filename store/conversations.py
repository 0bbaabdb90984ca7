"""Loading and saving a conversation's flow state, one locked row per phone number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from flows.state import Conversation, Language, Referral, Status, Step
from store.models import ConversationRow

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def lock_conversation(
    session: Session, phone: str, now: dt.datetime, timezone: str
) -> ConversationRow:
    """The row for `phone`, created if new, locked until the transaction ends."""
    query = select(ConversationRow).where(ConversationRow.phone == phone).with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is not None:  # every text but a number's first: one statement, no INSERT built
        return row
    fresh = Conversation(timezone=timezone)
    values = {"phone": phone, "created_at": now, "updated_at": now}
    values.update(_columns(fresh))
    insert = _INSERTS[session.get_bind().dialect.name](ConversationRow)
    session.execute(insert.values(**values).on_conflict_do_nothing(index_elements=["phone"]))
    return session.execute(query).scalar_one()


def to_state(row: ConversationRow) -> Conversation:
    return Conversation(
        language=Language(row.language),
        step=Step(row.step),
        status=Status(row.status),
        appointment=row.appointment,
        pending_date=row.pending_date,
        date_deferred=row.date_deferred,
        referral=Referral(row.referral),
        records_done=frozenset(int(n) for n in row.records_done.split(",") if n),
        phrase_index=row.phrase_index,
        timezone=row.timezone,
        calls=row.calls,
        enrolled_at=row.enrolled_at,
        referral_at=row.referral_at,
        deferred_at=row.deferred_at,
    )


def _columns(conv: Conversation) -> dict[str, object]:
    return {
        "language": conv.language.value,
        "step": conv.step.value,
        "status": conv.status.value,
        "appointment": conv.appointment,
        "pending_date": conv.pending_date,
        "date_deferred": conv.date_deferred,
        "referral": conv.referral.value,
        "records_done": ",".join(str(n) for n in sorted(conv.records_done)),
        "phrase_index": conv.phrase_index,
        "timezone": conv.timezone,
        "calls": conv.calls,
        "enrolled_at": conv.enrolled_at,
        "referral_at": conv.referral_at,
        "deferred_at": conv.deferred_at,
    }


def save_state(row: ConversationRow, conv: Conversation, now: dt.datetime) -> None:
    for name, value in _columns(conv).items():
        setattr(row, name, value)
    row.updated_at = now
