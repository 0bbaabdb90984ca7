"""Every text in and out (messages table): the only module that writes a message's status."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import MessageRow

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_MESSAGES = cast(Table, MessageRow.__table__)  # the Core table, for plain statements

# Twilio's message statuses in the order they happen; a report only ever moves forward.
RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "receiving": 3, "received": 3, "delivered": 4, "undelivered": 4, "failed": 4, "read": 5,
    "canceled": 4,
}  # fmt: skip
RECEIVED, REPLIED, QUEUED = "received", "replied", "queued"


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    """A text Twilio accepted (a reminder, a one-off): kept in the person's history."""

    person: int
    language: str
    key: str
    body: str
    sid: str
    at: dt.datetime


def record_inbound(
    session: Session, person: int, sid: str, body: str, now: dt.datetime
) -> int | None:
    """The new message's id; None when this MessageSid was recorded before (a redelivery)."""
    add = _INSERTS[session.get_bind().dialect.name](MessageRow).values(
        conversation_id=person,
        direction="in",
        sid=sid,
        body=body,
        status=RECEIVED,
        created_at=now,
    )
    added = session.execute(
        add.on_conflict_do_nothing(index_elements=["sid"]).returning(MessageRow.id)
    )
    return added.scalar_one_or_none()


def recent(
    session: Session, person: int, body: str, since: dt.datetime, low_value: Collection[str]
) -> tuple[int, int, int]:
    """Since then: answers sent to this person, those with a low-value key, texts like `body`."""
    mine = (MessageRow.conversation_id == person, MessageRow.created_at >= since)
    answers = select(func.count(), func.count().filter(MessageRow.key.in_(low_value))).where(
        *mine, MessageRow.direction == "out", MessageRow.reply_to_id.is_not(None)
    )
    replies, low = session.execute(answers).one()
    same = select(func.count()).where(*mine, MessageRow.direction == "in", MessageRow.body == body)
    return int(replies), int(low), int(session.scalar(same) or 0)


def replies_to(session: Session, sid: str) -> list[str]:
    """What we answered to the inbound text with this sid, so a redelivery answers the same."""
    inbound = select(MessageRow.id).where(MessageRow.sid == sid).scalar_subquery()
    query = select(MessageRow.body).where(MessageRow.reply_to_id == inbound)
    return list(session.scalars(query.order_by(MessageRow.id)))


def last_heard(session: Session, people: Collection[int]) -> dict[int, dt.datetime]:
    """When each of these people last texted us (those who never did are missing)."""
    query = (
        select(MessageRow.conversation_id, func.max(MessageRow.created_at))
        .where(MessageRow.conversation_id.in_(people), MessageRow.direction == "in")
        .group_by(MessageRow.conversation_id)
    )
    return {person: at for person, at in session.execute(query) if at is not None}


def record_reply(
    session: Session,
    person: int,
    inbound: int,
    text: str,
    key: str,
    language: str,
    now: dt.datetime,
) -> None:
    """The answer sent back in the webhook's TwiML."""
    row = {
        "conversation_id": person,
        "direction": "out",
        "body": text,
        "key": key,
        "language": language,
        "status": REPLIED,
        "reply_to_id": inbound,
        "created_at": now,
    }
    session.execute(insert(MessageRow), [row])


def record_sent(session: Session, texts: Sequence[Sent]) -> None:
    """Texts handed to Twilio, in one statement."""
    if not texts:
        return
    rows = [
        {
            "conversation_id": t.person,
            "direction": "out",
            "sid": t.sid,
            "body": t.body,
            "key": t.key,
            "language": t.language,
            "status": QUEUED,
            "created_at": t.at,
        }
        for t in texts
    ]
    session.execute(insert(MessageRow), rows)


def record_status(session: Session, sid: str, status: str, error_code: int | None) -> int | None:
    """Apply one delivery report; the person's id, or None when the sid is unknown."""
    query = select(
        MessageRow.id, MessageRow.conversation_id, MessageRow.status, MessageRow.error_code
    )
    found = session.execute(query.where(MessageRow.sid == sid).with_for_update()).one_or_none()
    if found is None:
        return None
    if RANK.get(status, -1) > RANK.get(found.status, -1):
        session.execute(
            update(_MESSAGES)
            .where(_MESSAGES.c.id == found.id)
            .values(status=status, error_code=error_code or found.error_code)
        )
    return int(found.conversation_id)


def erase(session: Session, person: int) -> None:
    """Every message of this person, gone."""
    session.execute(delete(MessageRow).where(MessageRow.conversation_id == person))
