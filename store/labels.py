"""What staff call a person and who looks after them (person_labels table).

Kept apart from the conversation on purpose: nothing that words a text reads this table,
so a label (initials, a clinic's record number) can never be sent to anyone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from store.models import PersonLabelRow

MAX_LABEL = 64


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    label: str = ""
    navigator: str = ""  # a staff username, or "" for nobody


def get(session: Session, person: int) -> Label:
    row = session.get(PersonLabelRow, person)
    return Label(row.label, row.navigator) if row else Label()


def put(session: Session, person: int, label: Label, by: str, now: dt.datetime) -> None:
    """Set both (the person is locked); an empty pair leaves no row behind."""
    row = session.get(PersonLabelRow, person, with_for_update=True)
    if not label.label and not label.navigator:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = PersonLabelRow(conversation_id=person)
        session.add(row)
    row.label, row.navigator, row.updated_by, row.updated_at = (
        label.label,
        label.navigator,
        by,
        now,
    )


def matching(text: str) -> Select[Any]:
    """A condition for queries: people whose label or navigator contains `text`."""
    pattern = text.strip()
    return select(PersonLabelRow.conversation_id).where(
        PersonLabelRow.label.icontains(pattern, autoescape=True)
        | PersonLabelRow.navigator.icontains(pattern, autoescape=True)
    )


def erase(session: Session, person: int) -> None:
    session.execute(delete(PersonLabelRow).where(PersonLabelRow.conversation_id == person))
