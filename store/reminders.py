"""Reminder rows: the only module that writes a reminder's status, in every transition.

pending -> claimed (by a sweep: still `pending`, `claimed_at` set, so the claim changes no
indexed column and PostgreSQL updates the row in place) -> sending (committed with its
words before Twilio is called) -> sent; or cancelled (no longer applies, or the person may
not be texted), skipped (nothing to say when it fell due), failed (Twilio refused it). A
row left `sending` by a crash is looked up at Twilio before anything is sent again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from flows.reminders.changes import Diff, Scheduled
from flows.reminders.sending import STAFF_TEXT
from store.db import json_rows, one_of
from store.models import ReminderRow
from store.people import held_people
from store.sandbox import sandbox_people
from store.types import UTCDateTime

PENDING, SENDING, SENT = "pending", "sending", "sent"
CANCELLED, SKIPPED, FAILED = "cancelled", "skipped", "failed"
_REMINDERS = cast(Table, ReminderRow.__table__)  # the Core table, for plain statements
_R = _REMINDERS.c


# -- the plan ---------------------------------------------------------------------------


def schedule(session: Session, person: int) -> list[Scheduled]:
    """The person's reminders as the plan's diff needs them."""
    query = select(
        ReminderRow.id, ReminderRow.key, ReminderRow.kind, ReminderRow.due_at, ReminderRow.status
    ).where(ReminderRow.conversation_id == person)
    return [
        Scheduled(r.id, r.key, r.kind, r.due_at, r.status == PENDING, r.status == CANCELLED)
        for r in session.execute(query)
    ]


def apply(session: Session, person: int, diff: Diff, now: dt.datetime) -> None:
    """Add, cancel and move, a statement each; a moved row's claim is void."""
    if diff.add:
        rows = [
            {
                "conversation_id": person,
                "kind": p.kind,
                "key": p.key,
                "due_at": p.due_at,
                "status": PENDING,
                "attempts": 0,
                "body": p.body,
                "channel": "sms",
                "call_attempts": 0,
                "created_at": now,
            }
            for p in diff.add
        ]
        session.execute(insert(ReminderRow), rows)
    if diff.cancel:
        session.execute(
            update(_REMINDERS).where(_REMINDERS.c.id.in_(diff.cancel)).values(status=CANCELLED)
        )
    if diff.move:
        moves = [{"reminder": i, "due": due} for i, due in diff.move]
        session.connection().execute(_MOVE, moves)


_MOVE = (
    update(_REMINDERS)
    .where(_REMINDERS.c.id == bindparam("reminder"))
    .values(status=PENDING, due_at=bindparam("due", type_=UTCDateTime()), claimed_at=None)
)


def add_staff_text(
    session: Session, person: int, key: str, body: str, now: dt.datetime, *, claimed: bool
) -> int:
    """A text staff wrote, due now with its words, on the reminders' send path; `claimed`
    when the caller sends it at once (else the sweep, or the simulator, takes it)."""
    row = {
        "conversation_id": person,
        "kind": STAFF_TEXT,
        "key": key,
        "due_at": now,
        "status": PENDING,
        "attempts": 0,
        "body": body,
        "channel": "sms",
        "call_attempts": 0,
        "claimed_at": now if claimed else None,
        "created_at": now,
    }
    return int(
        session.execute(insert(ReminderRow).values(row).returning(ReminderRow.id)).scalar_one()
    )


def erase(session: Session, person: int) -> None:
    session.execute(delete(ReminderRow).where(ReminderRow.conversation_id == person))


# -- the sweep --------------------------------------------------------------------------


def is_claimed(reminder: ReminderRow | Claimed) -> bool:
    """Taken by a sweep and handed to a worker: still `pending`, with `claimed_at` set."""
    return reminder.status == PENDING and reminder.claimed_at is not None


def _in_scope(
    sandbox: int | BindParameter[int] | None,
    hold: Collection[int] | BindParameter[Any] = (),
) -> ColumnElement[bool]:
    """Real people's or one sandbox's, minus those held (a text of theirs on its way in);
    a pause holds reminders, never what staff wrote. Either may be a bound parameter."""
    mine = ReminderRow.conversation_id
    only = mine == sandbox if sandbox is not None else mine.not_in(sandbox_people())
    if isinstance(hold, BindParameter) or hold:
        only = only & mine.not_in(hold)
    return only & (mine.not_in(held_people()) | (ReminderRow.kind == STAFF_TEXT))


def claim_due(
    session: Session,
    now: dt.datetime,
    limit: int,
    sandbox: int | None = None,
    hold: Collection[int] = (),
) -> list[int]:
    """Atomically take up to `limit` due reminders; other sweeps skip the locked rows.

    Paused people are left alone, and so are simulator sandboxes unless `sandbox` names one
    conversation: then only its reminders are taken (its clock is not the real one); so
    are the people in `hold` (a text of theirs is still on its way in).
    Only `claimed_at` changes, a column no index names: PostgreSQL rewrites no index entry.
    """
    connection = session.connection()
    params: dict[str, Any] = {"now": now, "limit": limit, "sandbox": sandbox, "hold": list(hold)}
    if connection.dialect.name == "postgresql":
        claimed = connection.execute(_claim_statement(sandbox is not None, bool(hold)), params)
        return list(claimed.scalar_one() or ())
    # SQLite has no ctid, no UPDATE inside WITH and no arrays: ids, sorted in Python.
    rows = connection.execute(_claim_statement(sandbox is not None, bool(hold), False), params)
    return [row.id for row in sorted(rows, key=lambda row: (row.due_at, row.id))]


_CLAIMS: dict[tuple[bool, bool, bool], Any] = {}


def _claim_statement(sandbox: bool, hold: bool, postgresql: bool = True) -> Any:
    """The claim, built once per shape; `now`, `limit`, `sandbox` and `hold` are parameters.

    On PostgreSQL the locking SELECT hands the UPDATE the rows' physical addresses (ctid):
    a row locked here cannot move before the UPDATE, which reads each one straight from
    its page (a Tid Scan) instead of looking every id up in the primary key again. The
    server sorts, and the ids come back as one array in one row. A row another transaction
    changed after this statement began (and before its lock) is locked in its new version,
    which the UPDATE's snapshot does not see: it is left unclaimed, for the next sweep.
    """
    key = (sandbox, hold, postgresql)
    if key in _CLAIMS:
        return _CLAIMS[key]
    now = bindparam("now", type_=UTCDateTime())
    ctid: ColumnElement[Any] = literal_column("reminders.ctid")  # PostgreSQL's row address
    scope = _in_scope(
        bindparam("sandbox", type_=ReminderRow.conversation_id.type) if sandbox else None,
        bindparam("hold", expanding=True) if hold else (),
    )
    due = (
        select(ctid if postgresql else ReminderRow.id)
        .select_from(_REMINDERS)
        .where(
            ReminderRow.status == PENDING,
            ReminderRow.due_at <= now,
            ReminderRow.claimed_at.is_(None),
            scope,
        )
        .order_by(ReminderRow.due_at)
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )
    if postgresql:
        claimed = (
            update(_REMINDERS)
            .where(ctid == any_(func.array(due.scalar_subquery())))
            .values(claimed_at=now)
            .returning(_REMINDERS.c.id, _REMINDERS.c.due_at)
            .cte("claimed")
        )
        ordered = aggregate_order_by(claimed.c.id, claimed.c.due_at, claimed.c.id)
        statement: Any = select(func.array_agg(ordered)).select_from(claimed)
    else:
        statement = (
            update(_REMINDERS)
            .where(_REMINDERS.c.id.in_(due.scalar_subquery()))
            .values(claimed_at=now)
            .returning(_REMINDERS.c.id, _REMINDERS.c.due_at)
        )
    _CLAIMS[key] = statement
    return statement


def next_due(session: Session, person: int) -> dt.datetime | None:
    """When this person's next unclaimed reminder is due (the simulator's "next reminder")."""
    query = select(func.min(ReminderRow.due_at)).where(
        ReminderRow.conversation_id == person,
        ReminderRow.status == PENDING,
        ReminderRow.claimed_at.is_(None),  # a claim left by a failed send is not next
    )
    return session.scalar(query)


def stale(session: Session, now: dt.datetime, older_than: dt.timedelta) -> Sequence[ReminderRow]:
    """Claimed rows whose send never started, and sends whose outcome was never recorded."""
    cutoff = now - older_than
    query = (
        select(ReminderRow)
        .where(
            _in_scope(None),
            or_(
                (ReminderRow.status == PENDING)
                & (ReminderRow.due_at <= now)  # lets PostgreSQL use ix_reminders_pending_due
                & (ReminderRow.claimed_at < cutoff),
                (ReminderRow.status == SENDING) & (ReminderRow.sending_at < cutoff),
            ),
        )
        .limit(500)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).all()


def claim_again(reminder: ReminderRow, now: dt.datetime) -> None:
    """A claim whose send never started: claimed afresh, to be handed out again."""
    reminder.claimed_at = now


def found_at_twilio(reminder: ReminderRow, sid: str, now: dt.datetime) -> None:
    """A send whose outcome was unknown, found at Twilio: it went; nothing is resent."""
    reminder.status, reminder.sid, reminder.sent_at = SENT, sid, now


def not_at_twilio(reminder: ReminderRow) -> None:
    """Not found at Twilio: still claimed, its words kept, so the same text goes once."""
    reminder.status = PENDING


# -- phase one: deciding, under the people's locks -------------------------------------


def owners(ids: Collection[int]) -> Select[Any]:
    """Whose these reminders are, as a query to lock them by (a reminder never changes hands)."""
    return select(ReminderRow.conversation_id).where(ReminderRow.id.in_(ids))


@functools.cache
def _owners_of(dialect: str) -> Select[Any]:
    return select(_R.id, _R.conversation_id).where(one_of(_R.id, "ids", dialect))


def owners_of(session: Session, ids: Collection[int]) -> dict[int, int]:
    """Each reminder's person, by reminder id."""
    connection = session.connection()
    found = connection.execute(_owners_of(connection.dialect.name), {"ids": list(ids)})
    return {reminder: person for reminder, person in found}


@dataclasses.dataclass(slots=True)
class Claimed:
    """A chunk's reminder as phase one reads it under its lock: a plain row, changed in
    memory by `reschedule`, `cancel`, `skip` and `start_sending`, and written back with the
    rest of the chunk by `save_prepared` (one statement)."""

    id: int
    conversation_id: int
    kind: str
    key: str
    due_at: dt.datetime
    status: str
    attempts: int
    claimed_at: dt.datetime | None
    sending_at: dt.datetime | None
    body: str | None
    spoken: str | None
    channel: str
    call_attempts: int
    read: tuple[Any, ...] = ()  # the columns phase one may change, as read

    def changed(self) -> bool:
        return self.read != _prepared_columns(self)


_PREPARED = ("status", "due_at", "claimed_at", "sending_at", "body", "spoken", "channel",
             "attempts")  # fmt: skip
_CLAIMED_COLUMNS = [_REMINDERS.c[f.name] for f in dataclasses.fields(Claimed) if f.name != "read"]


def _prepared_columns(row: Claimed) -> tuple[Any, ...]:
    return (row.status, row.due_at, row.claimed_at, row.sending_at, row.body, row.spoken,
            row.channel, row.attempts)  # fmt: skip


@functools.cache
def _lock_claimed(dialect: str) -> Select[Any]:
    where = one_of(_R.id, "ids", dialect)
    return select(*_CLAIMED_COLUMNS).where(where).order_by(_R.id).with_for_update()


def lock_claimed(session: Session, ids: Sequence[int]) -> list[Claimed]:
    """The chunk's rows, locked after their people, in the order asked (plain rows)."""
    connection = session.connection()
    by_id: dict[int, Claimed] = {}
    for values in connection.execute(_lock_claimed(connection.dialect.name), {"ids": list(ids)}):
        row = Claimed(*values)
        row.read = _prepared_columns(row)
        by_id[row.id] = row
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


_SAVE_PREPARED = (  # one row of phase one's changes (SQLite, or a single row)
    update(_REMINDERS)
    .where(_REMINDERS.c.id == bindparam("reminder"))
    .values({name: bindparam(f"new_{name}", type_=_REMINDERS.c[name].type) for name in _PREPARED})
)
# PostgreSQL: the chunk's changes as JSON rows (one parameter), written in one statement.
_SAVE_PREPARED_ALL = text(
    "UPDATE reminders SET status = c.status, due_at = c.due_at, claimed_at = c.claimed_at, "
    "sending_at = c.sending_at, body = c.body, spoken = c.spoken, channel = c.channel, "
    "attempts = c.attempts FROM json_to_recordset(CAST(:rows AS json)) AS c(id integer, "
    "status varchar, due_at timestamptz, claimed_at timestamptz, sending_at timestamptz, "
    "body text, spoken text, channel varchar, attempts integer) WHERE reminders.id = c.id"
)


def save_prepared(session: Session, chunk: Sequence[Claimed]) -> None:
    """What phase one changed of the chunk's rows, written in one statement."""
    changed = [row for row in chunk if row.changed()]
    if not changed:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(changed) == 1:
        rows = [
            {f"new_{n}": v for n, v in zip(_PREPARED, _prepared_columns(r), strict=True)}
            | {"reminder": r.id}
            for r in changed
        ]
        connection.execute(_SAVE_PREPARED, rows)
        return
    rows = [dict(zip(_PREPARED, _prepared_columns(r), strict=True), id=r.id) for r in changed]
    connection.execute(_SAVE_PREPARED_ALL, {"rows": json_rows(rows)})


def recent_sends(
    session: Session,
    people: Collection[int],
    since: dt.datetime,
    not_counted: Collection[str] = (),
) -> dict[int, list[dt.datetime]]:
    """When each person was texted or called since then, leaving out the kinds not counted."""
    connection = session.connection()
    query = _recent_sends(connection.dialect.name, tuple(sorted(not_counted)))
    recent: dict[int, list[dt.datetime]] = {person: [] for person in people}
    params = {"people": list(people), "since": since}
    for person, at in connection.execute(query, params):
        if at is not None:
            recent[person].append(at)
    return recent


@functools.cache
def _recent_sends(dialect: str, not_counted: tuple[str, ...]) -> Select[Any]:
    query = select(_R.conversation_id, _R.sending_at).where(
        one_of(_R.conversation_id, "people", dialect),
        _R.status.in_((SENT, SENDING)),
        _R.sending_at > bindparam("since", type_=UTCDateTime()),
    )
    if not_counted:  # a constant set: written into the statement
        query = query.where(_R.kind.not_in([literal_column(f"'{k}'") for k in not_counted]))
    return query


def reschedule(reminder: ReminderRow | Claimed, due_at: dt.datetime) -> None:
    """Back to waiting for `due_at`; any sweep's claim on it is void."""
    reminder.status, reminder.due_at, reminder.claimed_at = PENDING, due_at, None


def cancel(reminder: ReminderRow | Claimed) -> None:
    reminder.status = CANCELLED


def skip(reminder: ReminderRow | Claimed) -> None:
    reminder.status = SKIPPED


def start_sending(
    reminder: ReminderRow | Claimed, body: str, spoken: str | None, channel: str, now: dt.datetime
) -> None:
    """Committed with its words before any network: a crash leaves something to reconcile."""
    reminder.body, reminder.spoken, reminder.channel = body, spoken, channel
    reminder.status, reminder.sending_at = SENDING, now
    reminder.attempts += 1


# -- phase two: sending, a few at a time -----------------------------------------------

_RECORD = (  # what happened to a send; a sid or time already there is kept (a call retry)
    update(_REMINDERS)
    .where(_REMINDERS.c.id == bindparam("reminder"))
    .values(
        status=bindparam("new_status"),
        sid=func.coalesce(bindparam("new_sid", type_=String()), _REMINDERS.c.sid),
        sent_at=func.coalesce(bindparam("new_sent_at", type_=UTCDateTime()), _REMINDERS.c.sent_at),
        call_attempts=bindparam("new_call_attempts"),
    )
)
_RELEASE = (  # paused before its turn: back to waiting, worded again when it goes out
    update(_REMINDERS)
    .where(_REMINDERS.c.id == bindparam("reminder"))
    .values(
        status=PENDING,
        claimed_at=None,
        sending_at=None,
        body=None,
        spoken=None,
        attempts=_REMINDERS.c.attempts - 1,
    )
)


_HAND_BACK = (  # not sent after all (the worker stops, Redis is down): the sweep takes it again
    update(_REMINDERS)
    .where(_REMINDERS.c.id == bindparam("reminder"), _REMINDERS.c.status == SENDING)
    .values(status=PENDING, claimed_at=None, sending_at=None, attempts=_REMINDERS.c.attempts - 1)
)


def hand_back(session: Session, ids: Sequence[int]) -> None:
    """Worded but never handed to Twilio: waiting again, with the same words."""
    if ids:
        session.connection().execute(_HAND_BACK, [{"reminder": i} for i in ids])


def lock_sending(session: Session, ids: Collection[int]) -> list[Any]:
    """The rows of a group about to be sent, locked after their people."""
    connection = session.connection()
    query = _lock_sending(connection.dialect.name)
    return list(connection.execute(query, {"ids": list(ids)}))  # plain rows: no ORM machinery


@functools.cache
def _lock_sending(dialect: str) -> Select[Any]:
    columns = ("id", "conversation_id", "status", "body", "channel", "kind", "call_attempts",
               "attempts")  # fmt: skip
    query = select(*(_R[name] for name in columns)).where(one_of(_R.id, "ids", dialect))
    return query.order_by(_R.id).with_for_update()


def outcome(
    reminder: int,
    status: str,
    call_attempts: int,
    sid: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """One row of `record_outcomes`: sent (with sid and time), cancelled, or still sending."""
    if status not in (SENT, CANCELLED, SENDING):
        raise ValueError(f"not an outcome of a send: {status}")
    return {
        "reminder": reminder,
        "new_status": status,
        "new_sid": sid,
        "new_sent_at": at,
        "new_call_attempts": call_attempts,
    }


# The same, for a whole group in one statement on PostgreSQL: the outcomes as JSON rows
# (one parameter), one statement to plan and run instead of one per reminder.
_RECORD_ALL = text(
    "UPDATE reminders SET status = o.new_status, sid = coalesce(o.new_sid, reminders.sid), "
    "sent_at = coalesce(o.new_sent_at, reminders.sent_at), "
    "call_attempts = o.new_call_attempts FROM json_to_recordset(CAST(:rows AS json)) "
    "AS o(reminder integer, new_status varchar, new_sid varchar, new_sent_at timestamptz, "
    "new_call_attempts integer) WHERE reminders.id = o.reminder"
)


def record_outcomes(session: Session, outcomes: Sequence[dict[str, Any]]) -> None:
    if not outcomes:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(outcomes) == 1:
        connection.execute(_RECORD, list(outcomes))
        return
    connection.execute(_RECORD_ALL, {"rows": json_rows(list(outcomes))})


def release(session: Session, ids: Sequence[int]) -> None:
    """Paused since they were worded: back to waiting, worded again when they go."""
    if ids:
        session.connection().execute(_RELEASE, [{"reminder": i} for i in ids])


def refused(
    session: Session,
    reminder: int,
    error_code: int | None,
    call_attempts: int,
    retry_at: dt.datetime | None,
) -> None:
    """Twilio said no: waiting again for `retry_at` (busy), or failed for good."""
    values: dict[str, Any] = {"error_code": error_code, "call_attempts": call_attempts}
    if retry_at is None:
        values["status"] = FAILED
    else:
        values.update(status=PENDING, due_at=retry_at, claimed_at=None)
    session.execute(update(_REMINDERS).where(_REMINDERS.c.id == reminder).values(**values))


# -- calls ------------------------------------------------------------------------------


def spoken_reminder(session: Session, reminder: int) -> tuple[int, str, str | None] | None:
    """(person, words for a call, words as a text) of a reminder worded for a call."""
    query = select(ReminderRow.conversation_id, ReminderRow.spoken, ReminderRow.body)
    row = session.execute(query.where(ReminderRow.id == reminder)).one_or_none()
    if row is None or row.spoken is None:
        return None
    return int(row.conversation_id), str(row.spoken), row.body


def call_unanswered(
    session: Session, reminder: int, now: dt.datetime, retry_after: dt.timedelta, max_calls: int
) -> None:
    """No answer, busy or failed: one more call later (quiet hours apply then), then a text."""
    query = select(ReminderRow).where(ReminderRow.id == reminder).with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None or row.status != SENT or row.channel != "call":
        return  # a repeated or late callback changes nothing
    if row.call_attempts < max_calls:
        reschedule(row, now + retry_after)
    else:
        reschedule(row, now)
        row.channel = "sms"
    row.sid = None
