"""Phase one of a send: for a whole chunk, decide what goes and commit it `sending`.

One transaction for the chunk with a fixed number of statements: its people locked (in id
order, as every writer does), then its reminders; consent, recent sends and pauses read
set-wise; each reminder decided by the flow (consent, quiet hours, call or text) and
worded from the conversation as it is now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from flows.reminders.compose import ReminderDue
from flows.reminders.plan import repeat_of
from flows.reminders.sending import (
    NOT_COUNTED,
    CallRules,
    Verdict,
    channel,
    decide,
    is_staff_text,
)
from flows.reminders.window import WEEK
from secondopinion.apply import record_effects
from secondopinion.container import Services
from store import consent, messages, people, reminders
from store.db import transaction
from store.people import Person
from store.reminders import Claimed

RECENT = WEEK  # spacing and the daily and weekly caps look this far back


def prepare(
    svc: Services,
    reminder_ids: Sequence[int],
    now: dt.datetime,
    owners: dict[int, int] | None = None,
) -> dict[int, str]:
    """What became of each reminder; "prepared" ones are committed `sending` with their words.
    `owners`, if given, is filled with each reminder's person (for phase two)."""
    with transaction(svc.sessions) as session:
        found = reminders.owners_of(session, reminder_ids)  # a reminder never changes hands
        if owners is not None:
            owners.update(found)
        locked = people.lock_people(session, set(found.values()))
        chunk = reminders.lock_claimed(session, reminder_ids)  # after the people, as all do
        said_yes = consent.consented(session, locked)
        recent = reminders.recent_sends(session, locked, now - RECENT, not_counted=NOT_COUNTED)
        answering = {r.conversation_id for r in chunk if is_staff_text(r.kind)}
        heard = messages.last_heard(session, answering) if answering else {}
        current = dict(locked)  # each person as the chunk leaves them
        done: dict[int, str] = {}
        for reminder in chunk:
            person = current.get(reminder.conversation_id)
            if person is None:
                continue  # erased meanwhile
            if person.paused and not is_staff_text(reminder.kind):  # a pause holds reminders
                done[reminder.id] = _release(reminder)
                continue
            done[reminder.id], current[person.id] = _prepare_one(
                svc, session, person, reminder, (person.id in said_yes, heard.get(person.id)),
                recent[person.id], now,
            )  # fmt: skip
            if done[reminder.id] == "prepared" and reminder.kind not in NOT_COUNTED:
                recent[person.id].append(now)  # the next one for this person in the chunk waits
        changed = [(locked[i], person.state) for i, person in current.items()]
        people.save_all(session, changed, now)  # one statement for the whole chunk
        reminders.save_prepared(session, chunk)  # and one for its reminders
    return {i: done.get(i, "not-claimed") for i in reminder_ids}


def _call_rules(svc: Services) -> CallRules:
    """The rules for calls, built once per machine and settings (the plan's kinds are a
    set computed from its rules each time they are asked for)."""
    global _RULES
    machine, settings, rules = _RULES
    if machine is not svc.machine or settings is not svc.settings or rules is None:
        rules = CallRules(
            planned_kinds=svc.machine.plan.kinds,
            max_calls=svc.settings.call_attempts,
            can_call=bool(svc.settings.public_base_url),
        )
        _RULES = (svc.machine, svc.settings, rules)  # held: compared by identity
    return rules


_RULES: tuple[object, object, CallRules | None] = (None, None, None)


def _release(reminder: Claimed) -> str:
    """Not sent while paused: the claim is dropped, and resuming replans it."""
    if not reminders.is_claimed(reminder):
        return "not-claimed"
    reminders.reschedule(reminder, reminder.due_at)
    return "paused"


def _prepare_one(
    svc: Services,
    session: Session,
    person: Person,
    reminder: Claimed,
    heard_from: tuple[bool, dt.datetime | None],
    recent: list[dt.datetime],
    now: dt.datetime,
) -> tuple[str, Person]:
    """What became of one reminder, and the person as they are after it. `heard_from`:
    whether they ever said yes, and when they last wrote to us (for staff texts)."""
    consented, last_heard = heard_from
    if not reminders.is_claimed(reminder):
        return "not-claimed", person
    if reminder.due_at > now:  # moved to later since the sweep took it: its claim is void
        reminders.reschedule(reminder, reminder.due_at)
        return "not-due", person
    conv, machine, rules = person.state, svc.machine, _call_rules(svc)
    window = machine.plan.window
    decision = decide(conv, reminder.kind, consented, recent, now, window, last_heard)
    if decision.verdict is Verdict.CANCEL:
        reminders.cancel(reminder)
        return "cancelled", person
    if decision.verdict is Verdict.DEFER and decision.at is not None:
        reminders.reschedule(reminder, decision.at)
        return "deferred", person
    body, spoken = reminder.body, reminder.spoken
    if body is None:  # decided once; a retry sends the same words
        outcome = machine.step(conv, ReminderDue(reminder.kind, repeat_of(reminder.key)), now)
        record_effects(session, machine, person, outcome, now)  # its state is saved in bulk
        person = Person(
            person.id, person.phone, outcome.conversation, person.paused, person.in_inbox
        )
        if outcome.reply is None:
            reminders.skip(reminder)
            return "skipped", person
        body = machine.render(outcome.reply)
        if reminder.kind in rules.planned_kinds:  # only planned reminders can be calls
            spoken = machine.render(outcome.reply, channel="voice")
    how = channel(conv, reminder.kind, spoken is not None, reminder.call_attempts, rules)
    reminders.start_sending(reminder, body, spoken, how, now)
    return "prepared", person
