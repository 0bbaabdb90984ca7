"""Read-only queries behind the people list and a person's timeline."""
# A person's label and navigator are read here for staff only: no text is worded from them.

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from flows.content import RECORD_ITEMS
from flows.outcomes.stuck import Stuck
from flows.phones import mask
from store import labels
from store.models import (
    CaseRow,
    ConsentEventRow,
    ConversationRow,
    MessageRow,
    PersonLabelRow,
    ReminderHoldRow,
    ReminderRow,
    SandboxRow,
    StaffActionRow,
    StaffUserRow,
)
from store.reminders import PENDING
from webhooks.admin import worklist

PAGE_SIZE = 50
MAX_PAGE = 10_000  # a page number past this is read as the last one asked for
SORTS = dict(  # the list's orders, named as the page offers them (read only, never written)
    activity=(ConversationRow.updated_at.desc(),),
    visit=(ConversationRow.appointment.is_(None), ConversationRow.appointment),
    status=(ConversationRow.status, ConversationRow.updated_at.desc()),
)
T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    id: int
    masked: str
    language: str
    status: str
    step: str
    appointment: dt.date | None
    records_done: tuple[int, ...]
    referral: str
    next_reminder: dt.datetime | None
    last_status: str | None
    paused: bool
    sandbox: bool
    timezone: str
    label: str = ""
    navigator: str = ""
    open_case: int | None = None  # the case waiting in the inbox, if any
    visit_outcome: str | None = None
    last_activity: dt.datetime | None = None

    @property
    def records_missing(self) -> tuple[int, ...]:
        return tuple(n for n in RECORD_ITEMS if n not in self.records_done)


@dataclasses.dataclass(frozen=True, slots=True)
class Filters:
    """What the people list was asked for; every field empty lists everyone, newest first."""

    status: str = ""
    language: str = ""
    last4: str = ""
    search: str = ""  # part of a label or a navigator's name
    navigator: str = ""
    stuck: Stuck | None = None  # where people are stuck: soonest visit first
    sort: str = "activity"  # one of SORTS
    page: int = 1


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """One page of the people list, and how many match in all."""

    people: list[Person]
    total: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.people else 0

    @property
    def last(self) -> int:
        return self.first + len(self.people) - 1 if self.people else 0


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    what: str  # "in" / "out" / "consent" / "reminder" / "staff"
    text: str
    status: str = ""
    error_code: int | None = None
    group: str = ""  # the labels `text` is a code name of, if it is one


def _people_query() -> Select[Any]:
    next_due = (
        select(func.min(ReminderRow.due_at))
        .where(ReminderRow.conversation_id == ConversationRow.id, ReminderRow.status == PENDING)
        .scalar_subquery()
    )
    last_status = (
        select(MessageRow.status)
        .where(MessageRow.conversation_id == ConversationRow.id, MessageRow.direction == "out")
        .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    paused = select(ReminderHoldRow.conversation_id).where(
        ReminderHoldRow.conversation_id == ConversationRow.id
    )
    sandbox = select(SandboxRow.phone).where(SandboxRow.phone == ConversationRow.phone)
    open_case = (
        select(CaseRow.id)
        .where(CaseRow.conversation_id == ConversationRow.id, CaseRow.status == "open")
        .scalar_subquery()
    )
    return select(
        ConversationRow,
        next_due,
        last_status,
        paused.exists(),
        sandbox.exists(),
        PersonLabelRow.label,
        PersonLabelRow.navigator,
        open_case,
    ).outerjoin(PersonLabelRow, PersonLabelRow.conversation_id == ConversationRow.id)


def people(session: Session, filters: Filters, now: dt.datetime) -> Page:
    """One page of the list, filtered and sorted; people stuck somewhere come soonest visit
    first."""
    query = _people_query()
    if filters.status:
        query = query.where(ConversationRow.status == filters.status)
    if filters.language:
        query = query.where(ConversationRow.language == filters.language)
    if filters.last4:
        query = query.where(ConversationRow.phone.endswith(filters.last4, autoescape=True))
    if filters.search:
        query = query.where(ConversationRow.id.in_(labels.matching(filters.search)))
    if filters.navigator:
        query = query.where(PersonLabelRow.navigator == filters.navigator)
    first = (filters.page - 1) * PAGE_SIZE
    if filters.stuck is not None:
        stuck = worklist.stuck(session, query, filters.stuck, now, worklist.CANDIDATES)
        shown = [_person(*row) for row in stuck[first : first + PAGE_SIZE]]
        return Page(shown, len(stuck), filters.page)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(*SORTS[filters.sort], ConversationRow.id.desc())
    rows = session.execute(ordered.offset(first).limit(PAGE_SIZE))
    return Page([_person(*row) for row in rows], total, filters.page)


def person(session: Session, conversation_id: int) -> Person | None:
    query = _people_query().where(ConversationRow.id == conversation_id)
    row = session.execute(query).one_or_none()
    return _person(*row) if row else None


def _person(
    row: ConversationRow,
    next_due: dt.datetime | None,
    last_status: str | None,
    paused: bool,
    sandbox: bool,
    label: str | None = None,
    navigator: str | None = None,
    open_case: int | None = None,
) -> Person:
    return Person(
        id=row.id,
        masked=mask(row.phone),
        language=row.language,
        status=row.status,
        step=row.step,
        appointment=row.appointment,
        records_done=tuple(sorted(int(n) for n in row.records_done.split(",") if n)),
        referral=row.referral,
        next_reminder=next_due,
        last_status=last_status,
        paused=paused,
        sandbox=sandbox,
        timezone=row.timezone,
        label=label or "",
        navigator=navigator or "",
        open_case=open_case,
        visit_outcome=row.visit_outcome,
        last_activity=row.updated_at,
    )


def staff_names(session: Session) -> list[str]:
    """Who can be a person's navigator: every staff account."""
    return list(session.scalars(select(StaffUserRow.username).order_by(StaffUserRow.username)))


def timeline(session: Session, conversation_id: int) -> list[Event]:
    """Every message, consent event, reminder and staff action, oldest first."""
    events: list[Event] = []
    for m in _of(session, MessageRow, conversation_id):
        events.append(Event(m.created_at, m.direction, m.body, m.status, m.error_code))
    for c in _of(session, ConsentEventRow, conversation_id):
        events.append(Event(c.at, "consent", f"{c.kind} by {c.channel}: {c.words}"))
    for r in _of(session, ReminderRow, conversation_id):
        at = r.sent_at or r.due_at
        events.append(Event(at, "reminder", r.kind, r.status, r.error_code, "reminder"))
    for a in _of(session, StaffActionRow, conversation_id):
        events.append(Event(a.at, "staff", f"{a.action} by {a.username} {a.detail}".strip()))
    for case in _of(session, CaseRow, conversation_id):
        events.append(Event(case.opened_at, "case", f"case {case.id} opened by {case.opened_by}"))
        if case.closed_at is not None:
            text = f"case {case.id} closed by {case.closed_by} ({case.close_reason})"
            events.append(Event(case.closed_at, "case", text))
    return sorted(events, key=lambda e: e.at)


def _of(session: Session, model: type[T], conversation_id: int) -> Sequence[T]:
    query = select(model).where(model.conversation_id == conversation_id)  # type: ignore[attr-defined]
    return session.scalars(query).all()
