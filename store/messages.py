"""Every text in and out (messages table): the only module that writes a message's status."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.db import Pending, Plain, json_rows
from store.models import ForgottenMessageRow, MessageRow

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_MESSAGES = cast(Table, MessageRow.__table__)  # the Core table, for plain statements

# Twilio's message statuses in the order they happen; a report only ever moves forward.
RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "receiving": 3, "received": 3, "delivered": 4, "undelivered": 4, "failed": 4, "read": 5,
    "canceled": 4,
}  # fmt: skip
RECEIVED, REPLIED, QUEUED = "received", "replied", "queued"
# An inbound text fetched from Twilio after an outage: answered through the send path
# (LATE), or overtaken by a newer text already answered and so not answered at all (STALE).
LATE, STALE = "late", "stale"
AWAITING_REPORT = ("accepted", "queued", "sending", "sent")  # no final delivery report yet
REPORT_LOOKBACK = dt.timedelta(days=2)  # older texts are not looked up any more


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    """A text Twilio accepted (a reminder, a one-off): kept in the person's history."""

    person: int
    language: str
    key: str
    body: str
    sid: str
    at: dt.datetime


# The statements of an inbound text, built once (building one, and its cache key, costs
# more than running it); plain Core, executed on the session's connection.
_M = _MESSAGES.c
_NOW = bindparam("now", type_=_M.created_at.type)
_RECORD_INBOUND = {
    name: insert_(_MESSAGES)
    .values(
        conversation_id=bindparam("person"),
        direction="in",
        sid=bindparam("sid"),
        body=bindparam("body"),
        status=bindparam("status"),
        created_at=_NOW,
    )
    .on_conflict_do_nothing(index_elements=["sid"])
    .returning(_M.id)
    for name, insert_ in _INSERTS.items()
}
_ADD = insert(_MESSAGES)
# The answer to a text, as plain SQL on PostgreSQL (the names are not the columns': a
# bindparam named as its column is reserved for SQLAlchemy's own use).
_REPLY_COLUMNS = ("conversation_id", "body", "key", "language", "reply_to_id", "created_at")
_PLAIN_REPLY = Plain(
    insert(_MESSAGES).values(
        direction="out",
        status=REPLIED,
        **{name: bindparam(f"r_{name}") for name in _REPLY_COLUMNS},
    )
)
_ANSWER = (_M.direction == "out") & _M.reply_to_id.is_not(None)
_KEY = re.compile(r"[a-z0-9_]+")


_MINE_SINCE = and_(
    _M.conversation_id == bindparam("person"),
    _M.created_at >= bindparam("since", type_=_M.created_at.type),
)


def _counting(
    low_value: frozenset[str],
) -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
    """The reply budget's counts; the low-value keys (catalogue keys, a constant set)
    written into the statement's text, so nothing is expanded on each run."""
    if not all(_KEY.fullmatch(key) for key in low_value):
        raise ValueError("a catalogue key is lowercase letters, digits and _")
    low = _M.key.in_([literal_column(f"'{key}'") for key in sorted(low_value)])
    return (
        func.count().filter(_ANSWER),
        func.count().filter(_ANSWER & low),
        func.count().filter((_M.direction == "in") & (_M.body == bindparam("body"))),
    )


@functools.cache
def _recent(low_value: frozenset[str]) -> Select[int, int, int]:
    """`recent` in one statement: one pass over the person's recent messages."""
    return select(*_counting(low_value)).where(_MINE_SINCE)


@functools.cache
def _record_and_count(low_value: frozenset[str]) -> Select[Any]:
    """PostgreSQL: the inbound row added, and the person's recent messages counted, in one
    statement. Its SELECT sees the messages committed before it began (after the person's
    lock was taken), not the row its own INSERT adds."""
    added = _RECORD_INBOUND["postgresql"].cte("added")
    return select(select(added.c.id).scalar_subquery(), *_counting(low_value)).where(_MINE_SINCE)


@functools.cache
def _plain_record_and_count(low_value: frozenset[str]) -> Plain:
    return Plain(_record_and_count(low_value))


def record_inbound_counting(
    session: Session,
    person: int,
    sid: str,
    body: str,
    now: dt.datetime,
    since: dt.datetime,
    low_value: Collection[str],
    status: str = RECEIVED,
) -> tuple[int | None, tuple[int, int, int]]:
    """`record_inbound`, then `recent(session, person, body, since, low_value)` as it is with
    this text recorded (one statement on PostgreSQL); (None, (0, 0, 0)) for a redelivery."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        inbound = record_inbound(session, person, sid, body, now, status)
        if inbound is None:
            return None, (0, 0, 0)
        return inbound, recent(session, person, body, since, low_value)
    params = {"person": person, "sid": sid, "body": body, "status": status, "now": now}
    query = _plain_record_and_count(frozenset(low_value))
    [(inbound, replies, low, same)] = query.rows(connection, {**params, "since": since})
    if inbound is None:
        return None, (0, 0, 0)
    return int(inbound), (int(replies), int(low), int(same) + 1)  # + 1: this text


def record_inbound(
    session: Session, person: int, sid: str, body: str, now: dt.datetime, status: str = RECEIVED
) -> int | None:
    """The new message's id; None when this MessageSid was recorded before (a redelivery)."""
    connection = session.connection()
    params = {"person": person, "sid": sid, "body": body, "status": status, "now": now}
    added = connection.execute(_RECORD_INBOUND[connection.dialect.name], params)
    return added.scalar_one_or_none()


def recent(
    session: Session, person: int, body: str, since: dt.datetime, low_value: Collection[str]
) -> tuple[int, int, int]:
    """Since then: answers sent to this person, those with a low-value key, texts like `body`
    (one statement, one pass over the person's recent messages)."""
    params = {"person": person, "body": body, "since": since}
    query = _recent(frozenset(low_value))
    replies, low, same = session.connection().execute(query, params).one()
    return int(replies), int(low), int(same)


def known(session: Session, sids: Collection[str]) -> set[str]:
    """Which of these MessageSids are stored, or were stored and forgotten."""
    stored = select(MessageRow.sid).where(MessageRow.sid.in_(sids))
    gone = select(ForgottenMessageRow.sid).where(ForgottenMessageRow.sid.in_(sids))
    return {str(sid) for sid in session.scalars(stored.union(gone))}


def last_inbound_at(session: Session, person: int) -> dt.datetime | None:
    """When the newest text this person sent us was received (by any path)."""
    query = select(func.max(MessageRow.created_at)).where(
        MessageRow.conversation_id == person, MessageRow.direction == "in"
    )
    return session.scalar(query)


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


def reply(
    person: int, inbound: int, text: str, key: str, language: str, now: dt.datetime
) -> Pending:
    """The answer sent back in the webhook's TwiML, recorded: a write not sent yet, which
    the person's update may carry (`people.save`); `.run(session)` sends it alone."""
    values = (person, text, key, language, inbound, now)
    params = {f"r_{name}": value for name, value in zip(_REPLY_COLUMNS, values, strict=True)}

    def elsewhere(session: Session) -> None:
        row = {name: params[f"r_{name}"] for name in _REPLY_COLUMNS}
        session.connection().execute(_ADD, {**row, "direction": "out", "status": REPLIED})

    return Pending(_PLAIN_REPLY, params, elsewhere)


def record_sent(session: Session, texts: Sequence[Sent]) -> None:
    """Texts handed to Twilio, in one statement (the rows as one JSON parameter on
    PostgreSQL; plain Core on the session's connection, no ORM bulk machinery)."""
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
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_RECORD_SENT, {"rows": json_rows(rows)})
    else:
        connection.execute(_ADD, rows)


_RECORD_SENT = text(
    "INSERT INTO messages (conversation_id, direction, sid, body, key, language, status, "
    "created_at) SELECT conversation_id, direction, sid, body, key, language, status, "
    "created_at FROM json_to_recordset(CAST(:rows AS json)) AS t(conversation_id integer, "
    "direction varchar, sid varchar, body text, key varchar, language varchar, "
    "status varchar, created_at timestamptz)"
)


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


def forget(session: Session, person: int) -> None:
    """Every message of this person, gone; their inbound sids kept alone, as tombstones."""
    theirs = select(MessageRow.sid).where(
        MessageRow.conversation_id == person,
        MessageRow.direction == "in",
        MessageRow.sid.is_not(None),
    )
    keep = _INSERTS[session.get_bind().dialect.name](ForgottenMessageRow)
    session.execute(keep.from_select(["sid"], theirs).on_conflict_do_nothing())
    session.execute(delete(MessageRow).where(MessageRow.conversation_id == person))


def awaiting_report(session: Session, sent_before: dt.datetime, limit: int) -> list[str]:
    """Sids of texts sent before then whose delivery report never came, not yet looked up."""
    query = (
        select(MessageRow.sid)
        .where(
            MessageRow.direction == "out",
            MessageRow.sid.is_not(None),
            MessageRow.status.in_(AWAITING_REPORT),
            MessageRow.status_checked_at.is_(None),
            MessageRow.created_at < sent_before,
            MessageRow.created_at > sent_before - REPORT_LOOKBACK,
        )
        .order_by(MessageRow.created_at)
        .limit(limit)
    )
    return [str(sid) for sid in session.scalars(query)]


def report_looked_up(session: Session, sids: Collection[str], now: dt.datetime) -> None:
    if sids:
        checked = update(_MESSAGES).where(_MESSAGES.c.sid.in_(sids))
        session.execute(checked.values(status_checked_at=now))
