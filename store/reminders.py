"""Reminder rows: replanning inside a conversation's transaction, and claiming due ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from flows.plan import PlanSpec, plan
from flows.state import NO_MORE_TEXTS, Conversation
from store.models import ReminderRow

PENDING, SENDING, SENT = "pending", "sending", "sent"
CANCELLED, SKIPPED, FAILED = "cancelled", "skipped", "failed"
LEGACY_CLAIMED = "claimed"  # written by a sweep of a release before migration 0004


def is_claimed(reminder: ReminderRow) -> bool:
    """Taken by a sweep and handed to a worker: still `pending`, with `claimed_at` set."""
    if reminder.status == LEGACY_CLAIMED:  # while old and new workers overlap in a deploy
        return True
    return reminder.status == PENDING and reminder.claimed_at is not None


def reschedule(reminder: ReminderRow, due_at: dt.datetime) -> None:
    """Back to waiting for `due_at`; any sweep's claim on it is void."""
    reminder.status, reminder.due_at, reminder.claimed_at = PENDING, due_at, None


def replan(
    session: Session, conversation_id: int, conv: Conversation, now: dt.datetime, spec: PlanSpec
) -> None:
    """Make the pending reminders match the plan; what was sent is never scheduled again."""
    planned = plan(conv, now, spec)
    existing = {
        r.key: r
        for r in session.scalars(
            select(ReminderRow).where(ReminderRow.conversation_id == conversation_id)
        )
    }
    wanted = {p.key for p in planned}
    reachable = conv.status not in NO_MORE_TEXTS
    for row in existing.values():
        planned_kind = row.kind in spec.kinds  # one-off texts asked for on a call stay put
        if row.status == PENDING and ((planned_kind and row.key not in wanted) or not reachable):
            row.status = CANCELLED
    for item in planned:
        found = existing.get(item.key)
        if found is None:
            session.add(
                ReminderRow(
                    conversation_id=conversation_id,
                    kind=item.kind,
                    key=item.key,
                    due_at=item.due_at,
                    status=PENDING,
                    attempts=0,
                    created_at=now,
                )
            )
        elif found.status == CANCELLED or (found.status == PENDING and found.due_at != item.due_at):
            reschedule(found, item.due_at)  # a claim on it is void: its worker will skip it


def claim_due(
    session: Session, now: dt.datetime, limit: int, sandbox: int | None = None
) -> list[int]:
    """Atomically take up to `limit` due reminders; other sweeps skip the locked rows.

    Paused people are left alone, and so are simulator sandboxes unless `sandbox` names one
    conversation: then only its reminders are taken (its clock is not the real one).
    Only `claimed_at` changes, a column no index names: PostgreSQL rewrites no index entry.
    """
    due = (
        select(ReminderRow.id)
        .where(
            ReminderRow.status == PENDING,
            ReminderRow.due_at <= now,
            ReminderRow.claimed_at.is_(None),
            _in_scope(sandbox),
        )
        .order_by(ReminderRow.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(ReminderRow)
        .where(ReminderRow.id.in_(due.scalar_subquery()))
        .values(claimed_at=now)
        .returning(ReminderRow.id, ReminderRow.due_at)
    )
    # One plain statement on the session's connection: the ids never travel as 1,000
    # parameters, and no ORM bookkeeping runs for rows no object in the session holds.
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # the server sorts; only ids come back
        claimed = claim.cte("claimed")
        query = select(claimed.c.id).order_by(claimed.c.due_at, claimed.c.id)
        return list(connection.execute(query).scalars())
    rows = connection.execute(claim).all()  # SQLite has no UPDATE inside WITH
    return [row.id for row in sorted(rows, key=lambda row: (row.due_at, row.id))]


def _in_scope(sandbox: int | None) -> ColumnElement[bool]:
    from store.people import held_conversations
    from store.sandbox import sandbox_conversations

    mine = ReminderRow.conversation_id
    only = mine == sandbox if sandbox is not None else mine.not_in(sandbox_conversations())
    return only & mine.not_in(held_conversations())


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


def one_off(
    session: Session,
    conversation_id: int,
    kind: str,
    key: str,
    now: dt.datetime,
    body: str | None = None,
) -> None:
    """A single text asked for on a call (by_text, welcome, a reminder as a text), due now."""
    exists_already = session.scalar(
        select(ReminderRow.id).where(
            ReminderRow.conversation_id == conversation_id, ReminderRow.key == key
        )
    )
    if exists_already is None:
        session.add(
            ReminderRow(
                conversation_id=conversation_id,
                kind=kind,
                key=key,
                due_at=now,
                status=PENDING,
                attempts=0,
                body=body,
                channel="sms",
                created_at=now,
            )
        )
