"""Delivery reports from Twilio: statuses only move forward, and carrier refusals stop texts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.plan import PlanSpec
from flows.state import Status
from store.conversations import save_state, to_state
from store.models import ConsentEventRow, ConversationRow, MessageRow
from store.reminders import replan

# Twilio's message statuses in the order they happen; the last four are final.
RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "receiving": 3, "received": 3, "delivered": 4, "undelivered": 4, "failed": 4, "read": 5,
    "canceled": 4,
}  # fmt: skip
UNSUBSCRIBED = 21610
NOT_REACHABLE = frozenset({21211, 21614})


def record_status(
    session: Session,
    sid: str,
    status: str,
    error_code: int | None,
    now: dt.datetime,
    plan: PlanSpec,
) -> bool:
    """Apply one callback; False when the sid is unknown. Late or repeated ones change nothing."""
    message = session.scalar(select(MessageRow).where(MessageRow.sid == sid).with_for_update())
    if message is None:
        return False
    if RANK.get(status, -1) > RANK.get(message.status, -1):
        message.status = status
        message.error_code = error_code or message.error_code
    if error_code == UNSUBSCRIBED or error_code in NOT_REACHABLE:
        query = select(ConversationRow).where(ConversationRow.id == message.conversation_id)
        row = session.execute(query.with_for_update()).scalar_one()
        stop_texting(session, row, error_code, now, plan)
    return True


def stop_texting(
    session: Session, row: ConversationRow, code: int, now: dt.datetime, plan: PlanSpec
) -> None:
    """The carrier says no (21610 unsubscribed, 21211 / 21614 not textable): cancel it all."""
    status = Status.OPTED_OUT if code == UNSUBSCRIBED else Status.UNREACHABLE
    if row.status == status:
        return
    end_texting(session, row, status, now, plan, "carrier", f"Twilio error {code}")


def end_texting(
    session: Session,
    row: ConversationRow,
    status: Status,
    now: dt.datetime,
    plan: PlanSpec,
    channel: str,
    words: str,
) -> None:
    """Stop every text to this person now; an opt-out also goes in the consent ledger."""
    conv = to_state(row).replace(status=status)
    save_state(row, conv, now)
    replan(session, row.id, conv, now, plan)
    if status is Status.OPTED_OUT:
        session.add(
            ConsentEventRow(
                conversation_id=row.id,
                phone=row.phone,
                kind="opt_out",
                channel=channel,
                words=words,
                shown_text="",
                message_sid=None,
                at=now,
            )
        )
