"""What a keypress on the phone line changes: consent, channel choice, texts asked for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import Machine
from flows.outcome import next_setup_step
from flows.state import Conversation, Language, Status
from flows.voice import Action
from store.conversations import lock_conversation, save_state, to_state
from store.models import ConsentEventRow, ConversationRow, ReminderRow
from store.reminders import one_off, replan


def find_caller(session: Session, phone: str) -> Conversation | None:
    row = session.scalar(select(ConversationRow).where(ConversationRow.phone == phone))
    return to_state(row) if row else None


def apply_actions(
    session: Session,
    machine: Machine,
    caller: tuple[str, str],  # E.164 number and the time zone a new conversation starts with
    language: Language,
    actions: tuple[Action, ...],
    now: dt.datetime,
    reminder_id: int | None = None,
) -> None:
    """Carry out a call step's side effects in the caller's conversation, in one transaction."""
    if not actions or actions == (Action.DIAL,):
        return
    phone, zone = caller
    row = lock_conversation(session, phone, now, zone)
    conv = to_state(row)
    if conv.status is Status.NEW:
        conv = conv.replace(language=language)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    for action in actions:
        if action is Action.ENROL and conv.status is not Status.ACTIVE:
            conv = _enrol(session, machine, row, conv, language, now)
            one_off(session, row.id, "welcome", f"welcome:{stamp}", now)
        elif action is Action.TEXT_INFO:
            one_off(session, row.id, "by_text", f"by_text:{stamp}", now)
        elif action in (Action.CALLS_ON, Action.CALLS_OFF):
            conv = conv.replace(calls=action is Action.CALLS_ON)
        elif action is Action.PHRASE_HEARD:
            conv = conv.replace(phrase_index=conv.phrase_index + 1)
        elif action is Action.TEXT_REMINDER and reminder_id is not None:
            reminder = session.get(ReminderRow, reminder_id)
            if reminder and reminder.body and reminder.conversation_id == row.id:
                one_off(session, row.id, "texted", f"texted:{reminder.id}", now, reminder.body)
    save_state(row, conv, now)


def _enrol(
    session: Session,
    machine: Machine,
    row: ConversationRow,
    conv: Conversation,
    language: Language,
    now: dt.datetime,
) -> Conversation:
    """Consent by keypress: recorded with the exact words the caller heard."""
    joined = conv.replace(status=Status.ACTIVE, language=language, enrolled_at=now)
    joined = joined.replace(step=next_setup_step(joined))
    heard = machine.render_key("consent", language, channel="voice")
    session.add(
        ConsentEventRow(
            conversation_id=row.id,
            phone=row.phone,
            kind="opt_in",
            channel="voice",
            words="pressed 1",
            shown_text=heard,
            message_sid=None,
            at=now,
        )
    )
    session.flush()
    replan(session, row.id, joined, now, machine.plan)
    return joined
