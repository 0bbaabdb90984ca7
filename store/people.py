"""What staff can do to one person: pause and resume reminders, change zone, opt out, erase."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Select, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from flows import Conversation, Status
from flows.plan import PlanSpec
from store.conversations import save_state, to_state
from store.delivery import end_texting
from store.models import Base, ConversationRow, MessageRow, ReminderRow
from store.reminders import replan
from store.types import UTCDateTime


class ReminderHoldRow(Base):
    """A person whose reminders staff paused: the sweep does not claim them until resumed."""

    __tablename__ = "reminder_holds"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    held_by: Mapped[str] = mapped_column(String(64))
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def held_conversations() -> Select[int]:
    return select(ReminderHoldRow.conversation_id)


def lock(session: Session, conversation_id: int) -> ConversationRow:
    """The person's row, locked like an inbound text locks it."""
    query = select(ConversationRow).where(ConversationRow.id == conversation_id)
    return session.execute(query.with_for_update()).scalar_one()


def is_paused(session: Session, conversation_id: int) -> bool:
    return session.get(ReminderHoldRow, conversation_id) is not None


def pause(session: Session, conversation_id: int, by: str, now: dt.datetime) -> None:
    lock(session, conversation_id)
    if not is_paused(session, conversation_id):
        session.add(ReminderHoldRow(conversation_id=conversation_id, held_by=by, held_at=now))


def resume(session: Session, conversation_id: int, now: dt.datetime, spec: PlanSpec) -> None:
    """Lift the hold and replan, so what fell due meanwhile is moved or dropped, not burst out."""
    row = lock(session, conversation_id)
    session.execute(
        delete(ReminderHoldRow).where(ReminderHoldRow.conversation_id == conversation_id)
    )
    replan(session, row.id, to_state(row), now, spec)


def set_timezone(
    session: Session, conversation_id: int, zone: str, now: dt.datetime, spec: PlanSpec
) -> None:
    row = lock(session, conversation_id)
    conv = to_state(row).replace(timezone=zone)
    save_state(row, conv, now)
    replan(session, row.id, conv, now, spec)


def opt_out(
    session: Session, conversation_id: int, by: str, now: dt.datetime, spec: PlanSpec
) -> None:
    """Staff end the person's texts; the ledger says who did it."""
    row = lock(session, conversation_id)
    if row.status == Status.OPTED_OUT:
        return
    end_texting(session, row, Status.OPTED_OUT, now, spec, "staff", f"opted out by staff ({by})")


def erase(
    session: Session, conversation_id: int, by: str, now: dt.datetime, spec: PlanSpec
) -> None:
    """Delete messages, reminders and answers; keep the number and the consent ledger only."""
    opt_out(session, conversation_id, by, now, spec)
    row = lock(session, conversation_id)
    for table in (ReminderRow, MessageRow):
        session.execute(delete(table).where(table.conversation_id == row.id))
    session.execute(delete(ReminderHoldRow).where(ReminderHoldRow.conversation_id == row.id))
    kept = to_state(row)
    blank = Conversation(language=kept.language, status=Status.OPTED_OUT, timezone=kept.timezone)
    save_state(row, blank, now)
