"""One inbound text, handled in one transaction: record it, step the flow, record the answer."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import InboundText, Machine
from flows.outcome import Outcome
from store.conversations import lock_conversation, save_state, to_state
from store.models import ConsentEventRow, ConversationRow, MessageRow
from store.reminders import replan


@dataclasses.dataclass(frozen=True, slots=True)
class Inbound:
    phone: str  # E.164
    sid: str
    body: str
    timezone: str  # the zone a new conversation starts with


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    text: str | None
    duplicate: bool = False


def receive_text(session: Session, machine: Machine, msg: Inbound, now: dt.datetime) -> Answer:
    """Step the conversation; a MessageSid seen before answers as it did the first time."""
    row = lock_conversation(session, msg.phone, now, msg.timezone)
    seen = session.scalar(select(MessageRow).where(MessageRow.sid == msg.sid))
    if seen is not None:
        return Answer(_reply_to(session, seen), duplicate=True)
    inbound = MessageRow(
        conversation=row,
        direction="in",
        sid=msg.sid,
        body=msg.body,
        status="received",
        created_at=now,
    )
    session.add(inbound)
    outcome = machine.step(to_state(row), InboundText(msg.body), now)
    save_state(row, outcome.conversation, now)
    text = _record_reply(session, machine, row, inbound, outcome, now)
    _record_consent(session, row, msg, outcome, text, now)
    if outcome.replan:
        session.flush()  # a new conversation needs its id before reminders point at it
        replan(session, row.id, outcome.conversation, now, machine.plan)
    return Answer(text)


def _reply_to(session: Session, inbound: MessageRow) -> str | None:
    reply = session.scalar(select(MessageRow).where(MessageRow.reply_to_id == inbound.id))
    return reply.body if reply else None


def _record_reply(
    session: Session,
    machine: Machine,
    row: ConversationRow,
    inbound: MessageRow,
    outcome: Outcome,
    now: dt.datetime,
) -> str | None:
    if outcome.reply is None:
        return None
    text = machine.render(outcome.reply)
    session.add(
        MessageRow(
            conversation=row,
            direction="out",
            body=text,
            key=outcome.reply.key,
            language=outcome.reply.language.value,
            status="replied",
            reply_to=inbound,
            created_at=now,
        )
    )
    return text


def _record_consent(
    session: Session,
    row: ConversationRow,
    msg: Inbound,
    outcome: Outcome,
    text: str | None,
    now: dt.datetime,
) -> None:
    if outcome.consent is None:
        return
    session.add(
        ConsentEventRow(
            conversation=row,
            phone=msg.phone,
            kind=outcome.consent.value,
            channel="sms",
            words=msg.body,
            shown_text=text or "",
            message_sid=msg.sid,
            at=now,
        )
    )
