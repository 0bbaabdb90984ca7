"""The reminder plan: which reminders a conversation should have, and when, from plan.toml."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from flows.conversation.state import Conversation, Referral, Status
from flows.reminders.timely import timely
from flows.reminders.window import Window, earliest_slot

PLAN_FILE = Path(__file__).parent.parent / "content" / "plan.toml"
OVERDUE_GRACE = dt.timedelta(days=1)  # a missed enrolment-time reminder older than this is dropped
# A missed reminder that would only list the records again, half an hour before the checklist
# does (a sign-up four to six days before the visit): not squeezed in, the checklist says it.
SAID_BY_CHECKLIST = frozenset({"week_before"})


class Anchor(StrEnum):
    ENROLMENT = "enrolment"
    APPOINTMENT = "appointment"
    REFERRAL = "referral"
    DEFERRED = "deferred"


@dataclasses.dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    anchor: Anchor
    days: int = 0
    at: dt.time | None = None
    minutes: int = 0
    repeat_days: int = 0
    repeat_max: int = 1
    priority: int = 9


@dataclasses.dataclass(frozen=True, slots=True)
class PlanSpec:
    window: Window
    rules: tuple[Rule, ...]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(rule.kind for rule in self.rules)


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Planned:
    """One reminder to schedule; `key` names it so a replan never schedules a sent one again."""

    due_at: dt.datetime
    priority: int
    kind: str
    key: str
    body: str | None = None  # a one-off text worded when it was asked for


def plan_inputs(conv: Conversation) -> tuple[object, ...]:
    """Everything `plan` reads: when none of it changed, the plan did not change."""
    return (
        conv.status,
        conv.appointment,
        conv.date_deferred,
        conv.deferred_at,
        conv.enrolled_at,
        conv.referral,
        conv.referral_at,
        conv.timezone,
    )


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def load_plan(path: Path = PLAN_FILE) -> PlanSpec:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    w = data["window"]
    window = Window(
        start=_time(w["start"]),
        end=_time(w["end"]),
        spacing=dt.timedelta(minutes=int(w["spacing_minutes"])),
        max_per_day=int(w["max_per_day"]),
        max_per_week=int(w["max_per_week"]),
    )
    rules = tuple(
        Rule(
            kind=r["kind"],
            anchor=Anchor(r["anchor"]),
            days=int(r.get("days", 0)),
            at=_time(r["at"]) if "at" in r else None,
            minutes=int(r.get("minutes", 0)),
            repeat_days=int(r.get("repeat_days", 0)),
            repeat_max=int(r.get("repeat_max", 1)),
            priority=int(r.get("priority", 9)),
        )
        for r in data["reminder"]
    )
    return PlanSpec(window, rules)


def _anchor(conv: Conversation, anchor: Anchor) -> tuple[dt.datetime, str] | None:
    """The moment a rule counts from (and its name in keys), when the rule applies at all."""
    tz = ZoneInfo(conv.timezone)
    if anchor is Anchor.APPOINTMENT and conv.appointment:
        return dt.datetime.combine(conv.appointment, dt.time(0), tz), conv.appointment.isoformat()
    if anchor is Anchor.ENROLMENT and conv.enrolled_at:
        return conv.enrolled_at, conv.enrolled_at.isoformat(timespec="seconds")
    if anchor is Anchor.REFERRAL and conv.referral_at and conv.referral in _WAITING_REFERRAL:
        return conv.referral_at, conv.referral_at.isoformat(timespec="seconds")
    if (
        anchor is Anchor.DEFERRED
        and conv.deferred_at
        and conv.date_deferred
        and not conv.appointment
    ):
        return conv.deferred_at, conv.deferred_at.isoformat(timespec="seconds")
    return None


_WAITING_REFERRAL = {Referral.NEEDED, Referral.UNSURE}
_RULE_REFERRAL = {"referral_followup": Referral.NEEDED, "referral_unsure": Referral.UNSURE}


def _nominal(rule: Rule, start: dt.datetime, n: int, tz: ZoneInfo) -> dt.datetime:
    days = rule.days + n * rule.repeat_days
    if rule.at is None:
        return start + dt.timedelta(days=days, minutes=rule.minutes)
    local_day = start.astimezone(tz).date() + dt.timedelta(days=days)
    return dt.datetime.combine(local_day, rule.at, tz).astimezone(dt.UTC)


def plan(conv: Conversation, now: dt.datetime, spec: PlanSpec) -> list[Planned]:
    """Every reminder the conversation should have from now on, fitted into quiet hours."""
    if conv.status is not Status.ACTIVE:
        return []
    tz = ZoneInfo(conv.timezone)
    upcoming: list[Planned] = []
    overdue_before_visit: list[Planned] = []
    for rule in spec.rules:
        found = _anchor(conv, rule.anchor)
        if found is None or _RULE_REFERRAL.get(rule.kind, conv.referral) is not conv.referral:
            continue
        start, name = found
        for n in range(max(rule.repeat_max, 1)):
            due = _nominal(rule, start, n, tz)
            item = Planned(due, rule.priority, rule.kind, f"{rule.kind}:{name}:{n}")
            if due >= now:
                upcoming.append(item)
            elif rule.anchor is Anchor.APPOINTMENT and rule.days < 0 and conv.appointment:
                if conv.appointment >= now.astimezone(tz).date():
                    overdue_before_visit.append(item)  # late enrolment: squeeze, do not drop
            elif now - due <= OVERDUE_GRACE and rule.anchor is not Anchor.APPOINTMENT:
                upcoming.append(dataclasses.replace(item, due_at=now))
    if overdue_before_visit:  # the most important of the missed pre-visit reminders, now
        first = min(overdue_before_visit, key=lambda p: (p.priority, -p.due_at.timestamp()))
        if not (first.kind in SAID_BY_CHECKLIST and any(p.kind == "checklist" for p in upcoming)):
            upcoming.append(dataclasses.replace(first, due_at=now))
    return fit(upcoming, conv, spec.window)


def repeat_of(key: str) -> int:
    """Which repeat of its rule a planned reminder is (0 for the first), from its key."""
    last = key.rsplit(":", 1)[-1]
    return int(last) if last.isdigit() else 0


def fit(items: list[Planned], conv: Conversation, window: Window) -> list[Planned]:
    """Give each reminder its first allowed slot, the most important first, so none come in a
    burst and the caps hold; one that could only go when it would no longer make sense is
    dropped (the caps then keep the important ones, not the first ones)."""
    tz = ZoneInfo(conv.timezone)
    placed: list[Planned] = []
    for item in sorted(items, key=lambda p: (p.priority, p.due_at)):
        slot = earliest_slot(item.due_at, conv.timezone, window, [p.due_at for p in placed])
        if timely(item.kind, conv, slot.astimezone(tz).date()):
            placed.append(dataclasses.replace(item, due_at=slot))
    return sorted(placed)
