"""Read-only queries behind the inbox: open cases with their people and last messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.inbox.case import Case
from flows.phones import mask
from flows.reminders.sending import STAFF_TEXT
from store import cases, labels
from store.models import CaseRow, ConversationRow, MessageRow, ReminderRow
from store.reminders import PENDING, SENDING

LAST_MESSAGES = 3  # shown with each case in the list
THREAD_BEFORE = 5  # messages from before the case opened, for context, on its page


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One text of a case's thread, as staff read it."""

    at: dt.datetime
    incoming: bool
    body: str
    status: str
    by_staff: bool  # a text staff wrote


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """An open case in the list, or the one case of a case page."""

    id: int
    person: int
    masked: str
    label: str
    navigator: str
    language: str
    step: str
    status: str  # the person's standing (active, completed, opted_out ...)
    case: Case
    age: dt.timedelta
    overdue: bool
    lines: Sequence[Line]
    timezone: str = "America/New_York"  # the person's: the page's times are in it


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    """What /metrics, the program page and the menu show of the inbox."""

    open: int
    oldest: dt.timedelta | None
    overdue: int


def summary(session: Session, now: dt.datetime, limit: dt.timedelta) -> Summary:
    query = select(func.count(), func.min(CaseRow.opened_at)).where(CaseRow.status == "open")
    count, first = session.execute(query).one()
    late = select(func.count()).where(CaseRow.status == "open", CaseRow.opened_at < now - limit)
    oldest = max(now - first, dt.timedelta(0)) if first else None
    return Summary(int(count or 0), oldest, int(session.scalar(late) or 0))


def open_items(session: Session, now: dt.datetime, limit: dt.timedelta) -> list[Item]:
    """Every open case, oldest first, with the last few texts of each person."""
    return [
        _item(session, stored, now, limit, _last(session, stored.person, LAST_MESSAGES))
        for stored in cases.open_cases(session)
    ]


def item(session: Session, case_id: int, now: dt.datetime, limit: dt.timedelta) -> Item | None:
    """One case with its thread: the texts since it opened, and a few before."""
    stored = cases.find(session, case_id)
    if stored is None:
        return None
    since, person = stored.case.opened_at, stored.person
    before = _last(session, person, THREAD_BEFORE, before=since)
    thread = [*before, *_since(session, person, since), *_on_the_way(session, person)]
    return _item(session, stored, now, limit, thread)


def _item(
    session: Session, stored: cases.Stored, now: dt.datetime, limit: dt.timedelta, lines: list[Line]
) -> Item:
    person = session.get(ConversationRow, stored.person)
    assert person is not None  # a case goes with its person (erase removes both)
    named = labels.get(session, stored.person)
    return Item(
        id=stored.id,
        person=stored.person,
        masked=mask(person.phone),
        label=named.label,
        navigator=named.navigator,
        language=person.language,
        step=person.step,
        status=person.status,
        case=stored.case,
        age=stored.case.age(now),
        overdue=stored.case.overdue(now, limit),
        lines=lines,
        timezone=person.timezone,
    )


def _line(m: MessageRow) -> Line:
    return Line(m.created_at, m.direction == "in", m.body, m.status, m.key == "reply")


def _last(session: Session, person: int, n: int, before: dt.datetime | None = None) -> list[Line]:
    query = select(MessageRow).where(MessageRow.conversation_id == person)
    if before is not None:
        query = query.where(MessageRow.created_at < before)
    newest = query.order_by(MessageRow.created_at.desc(), MessageRow.id.desc()).limit(n)
    return [_line(m) for m in reversed(session.scalars(newest).all())]


def _on_the_way(session: Session, person: int) -> list[Line]:
    """Staff texts not sent yet: held for quiet hours, or waiting for the simulator."""
    query = select(ReminderRow).where(
        ReminderRow.conversation_id == person,
        ReminderRow.kind == STAFF_TEXT,
        ReminderRow.status.in_((PENDING, SENDING)),
    )
    rows = session.scalars(query.order_by(ReminderRow.due_at, ReminderRow.id))
    return [Line(r.due_at, False, r.body or "", "waiting to go", True) for r in rows]


def _since(session: Session, person: int, since: dt.datetime) -> list[Line]:
    query = select(MessageRow).where(
        MessageRow.conversation_id == person, MessageRow.created_at >= since
    )
    return [_line(m) for m in session.scalars(query.order_by(MessageRow.created_at, MessageRow.id))]
