"""A patient's whole journey, pure: texts and keys in, every reminder the plan sends out.

The same rules the service runs (Machine.step, the plan's diff, sending.decide with a
week of sends, the composers) on an in-memory list of reminder rows, so a test can walk
hundreds of journeys in seconds and look at what a person would have received.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from flows import Conversation, InboundText, Machine, Outcome, Reply
from flows.reminders.changes import Scheduled, diff
from flows.reminders.compose import ReminderDue
from flows.reminders.plan import repeat_of
from flows.reminders.sending import Verdict, decide
from flows.reminders.timely import ANSWERS
from flows.voice.actions import KeysPressed

WEEK = dt.timedelta(days=7)


@dataclasses.dataclass
class Row:
    id: int
    key: str
    kind: str
    due_at: dt.datetime
    status: str = "pending"  # pending / sent / cancelled / skipped
    body: str | None = None


@dataclasses.dataclass(frozen=True)
class Received:
    """One message the person got: when, what kind, the words, and the state it was sent in."""

    at: dt.datetime
    kind: str  # a reminder kind, or "reply:<key>" for an answer to their own text
    text: str
    conversation: Conversation

    @property
    def is_reply(self) -> bool:
        return self.kind.startswith("reply:") or self.kind in ANSWERS


@dataclasses.dataclass
class Journey:
    machine: Machine
    zone: str = "America/New_York"
    conv: Conversation = dataclasses.field(default_factory=Conversation)
    rows: list[Row] = dataclasses.field(default_factory=list)
    received: list[Received] = dataclasses.field(default_factory=list)
    clock: dt.datetime = dt.datetime(2027, 3, 1, 14, 0, tzinfo=dt.UTC)

    def __post_init__(self) -> None:
        self.conv = self.conv.replace(timezone=self.zone)

    def local(self, day: int, hour: int, minute: int = 0) -> dt.datetime:
        """Day `day` of the journey (0 = 1 March 2027), at a local time."""
        start = dt.date(2027, 3, 1) + dt.timedelta(days=day)
        return dt.datetime.combine(start, dt.time(hour, minute), ZoneInfo(self.zone))

    def date(self, day: int) -> dt.date:
        return dt.date(2027, 3, 1) + dt.timedelta(days=day)

    # --- what the person does -----------------------------------------------------------

    def text(self, at: dt.datetime, *bodies: str) -> None:
        self.run_until(at)
        for body in bodies:
            outcome = self.machine.step(self.conv, InboundText(body), at)
            self._apply(outcome, at)
            if outcome.reply is not None:
                self._receive(at, f"reply:{outcome.reply.key}", outcome.reply)

    def press(self, at: dt.datetime, keys: KeysPressed) -> None:
        self.run_until(at)
        self._apply(self.machine.step(self.conv, keys, at), at)

    # --- what the service does ------------------------------------------------------------

    def run_until(self, end: dt.datetime) -> None:
        """Send every reminder due before `end`, as the sweep and the workers would."""
        while True:
            due = [r for r in self.rows if r.status == "pending" and r.due_at <= end]
            if not due:
                break
            row = min(due, key=lambda r: (r.due_at, r.id))
            self.clock = max(self.clock, row.due_at)
            self._send(row, row.due_at)
        self.clock = max(self.clock, end)

    def _send(self, row: Row, now: dt.datetime) -> None:
        recent = [r.at for r in self.received if not r.is_reply and now - r.at < WEEK]
        window = self.machine.plan.window
        decision = decide(self.conv, row.kind, True, recent, now, window)
        if decision.verdict is Verdict.CANCEL:
            row.status = "cancelled"
            return
        if decision.verdict is Verdict.DEFER:
            assert decision.at is not None and decision.at > now
            row.due_at = decision.at
            return
        if row.body is not None:  # a one-off worded when it was asked for
            row.status = "sent"
            self.received.append(Received(now, row.kind, row.body, self.conv))
            return
        before = self.conv
        outcome = self.machine.step(before, ReminderDue(row.kind, repeat_of(row.key)), now)
        self._apply(outcome, now)
        if outcome.reply is None:
            row.status = "skipped"
            return
        row.status = "sent"
        text = self.machine.render(outcome.reply)
        self.received.append(Received(now, row.kind, text, before))

    def _receive(self, at: dt.datetime, kind: str, reply: Reply) -> None:
        self.received.append(Received(at, kind, self.machine.render(reply), self.conv))

    def _apply(self, outcome: Outcome, now: dt.datetime) -> None:
        self.conv = outcome.conversation
        if not outcome.reminders.any:
            return
        existing = [
            Scheduled(r.id, r.key, r.kind, r.due_at, r.status == "pending", r.status == "cancelled")
            for r in self.rows
        ]
        changes = diff(outcome.reminders, existing, self.machine.plan.kinds)
        by_id = {r.id: r for r in self.rows}
        for rid in changes.cancel:
            by_id[rid].status = "cancelled"
        for rid, at in changes.move:
            by_id[rid].status, by_id[rid].due_at = "pending", at
        for item in changes.add:
            row = Row(len(self.rows) + 1, item.key, item.kind, item.due_at, body=item.body)
            self.rows.append(row)

    # --- what a test looks at ---------------------------------------------------------------

    @property
    def reminders(self) -> list[Received]:
        """What the weekly cap counts: reminders, texts and calls, not answers to the person."""
        return [r for r in self.received if not r.is_reply]

    def most_in_seven_days(self) -> int:
        times = sorted(r.at for r in self.reminders)
        return max((sum(1 for t in times if s <= t < s + WEEK) for s in times), default=0)

    def most_in_one_day(self) -> int:
        tz = ZoneInfo(self.zone)
        days = [r.at.astimezone(tz).date() for r in self.reminders]
        return max((days.count(d) for d in set(days)), default=0)
