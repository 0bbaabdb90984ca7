"""Who is due to be forgotten: conversations that are over and have been quiet long enough."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.conversation.state import FINISHED
from store.models import ConversationRow, MessageRow


def quiet_since(session: Session, cutoff: dt.datetime, limit: int) -> list[int]:
    """Finished conversations (completed, opted out, unreachable, never joined) with no
    change and no text in or out since `cutoff`, oldest first."""
    recent = (
        select(MessageRow.id)
        .where(MessageRow.conversation_id == ConversationRow.id, MessageRow.created_at >= cutoff)
        .exists()
    )
    query = (
        select(ConversationRow.id)
        .where(
            ConversationRow.status.in_([status.value for status in FINISHED]),
            ConversationRow.updated_at < cutoff,
            ~recent,
        )
        .order_by(ConversationRow.updated_at)
        .limit(limit)
    )
    return list(session.scalars(query))
