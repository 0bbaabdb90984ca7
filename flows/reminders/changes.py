"""What a step asks of a person's reminders, and the rows to add, cancel and move for it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence

from flows.reminders.plan import Planned


@dataclasses.dataclass(frozen=True, slots=True)
class ReminderChanges:
    """A step's wish: the plan from now on (when it changed), texts ending, one-off texts."""

    plan: tuple[Planned, ...] | None = None  # None: the plan did not change
    stop_all: bool = False  # texts end: every pending reminder is cancelled, one-offs too
    one_offs: tuple[Planned, ...] = ()  # single texts asked for on a call, added if new

    @property
    def any(self) -> bool:
        return self.plan is not None or self.stop_all or bool(self.one_offs)


@dataclasses.dataclass(frozen=True, slots=True)
class Scheduled:
    """A reminder row as the diff sees it."""

    id: int
    key: str
    kind: str
    due_at: dt.datetime
    pending: bool  # waiting (claimed or not); a cancelled one has `cancelled`
    cancelled: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Diff:
    """Rows to write: new reminders, ids to cancel, and ids to (re)schedule at a new time."""

    add: tuple[Planned, ...] = ()
    cancel: tuple[int, ...] = ()
    move: tuple[tuple[int, dt.datetime], ...] = ()  # also brings a cancelled one back

    def __bool__(self) -> bool:
        return bool(self.add or self.cancel or self.move)


def diff(
    changes: ReminderChanges, existing: Sequence[Scheduled], planned_kinds: Collection[str]
) -> Diff:
    """Make the pending reminders match the wish; what was sent is never scheduled again.

    A planned kind not in the new plan is cancelled; one-off texts are left alone unless
    texts end. A key already used (sent, failed, skipped) is never added a second time.
    """
    by_key = {s.key: s for s in existing}
    wanted = {p.key: p for p in changes.plan or ()}
    cancel = [
        s.id
        for s in existing
        if s.pending
        and (changes.stop_all or (changes.plan is not None and s.kind in planned_kinds))
        and (changes.stop_all or s.key not in wanted)
    ]
    add: list[Planned] = []
    move: list[tuple[int, dt.datetime]] = []
    for item in wanted.values():
        found = by_key.get(item.key)
        if found is None:
            add.append(item)
        elif found.cancelled or (found.pending and found.due_at != item.due_at):
            move.append((found.id, item.due_at))
    add.extend(item for item in changes.one_offs if item.key not in by_key)
    if changes.stop_all:
        add, move = [], []
    return Diff(tuple(add), tuple(cancel), tuple(move))
