"""The phone line: who is calling, what their keys change, and how a reminder call ended."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from flows import Conversation, Language, Machine
from flows.voice import menu, trust
from flows.voice.actions import KeysPressed, changes_anything
from flows.voice.trust import CallerId
from secondopinion.apply import apply
from store import people, reminders

UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})


@dataclasses.dataclass(frozen=True, slots=True)
class Caller:
    """A number calling in: E.164, and the zone a new conversation would start with."""

    phone: str  # "" for a hidden number
    timezone: str
    who: CallerId = CallerId.HIDDEN  # how far caller ID can be trusted (flows.voice.trust)


@dataclasses.dataclass(frozen=True, slots=True)
class ReminderCall:
    """A reminder call that reached someone: whose, and its words spoken and as a text."""

    id: int
    phone: str
    timezone: str
    language: Language
    spoken: str
    text: str | None


def known(session: Session, phone: str) -> Conversation | None:
    person = people.find_by_phone(session, phone)
    return person.state if person else None


def pressed(
    session: Session,
    machine: Machine,
    caller: Caller,
    call: menu.Call,
    digits: str,
    now: dt.datetime,
) -> menu.VoiceOutcome:
    """A key on the phone menu: what is said next, with its side effects written."""
    person = known(session, caller.phone) if caller.phone else None
    outcome = trust.screen(menu.press(call, digits, person), call, person, caller.who)
    if caller.who is not CallerId.HIDDEN:  # a hidden number never gets a row
        keys = KeysPressed(outcome.actions, call.language)
        _apply_keys(session, machine, caller, keys, now)
    return outcome


def reminder_call(session: Session, reminder_id: int) -> ReminderCall | None:
    """The reminder a call was placed for, if it exists and was worded for a call."""
    found = reminders.spoken_reminder(session, reminder_id)
    person = people.find(session, found[0]) if found else None
    if found is None or person is None:
        return None
    _, spoken, text = found
    state = person.state
    return ReminderCall(reminder_id, person.phone, state.timezone, state.language, spoken, text)


def reminder_keys(
    session: Session,
    machine: Machine,
    reminder: ReminderCall,
    actions: tuple[menu.Action, ...],
    now: dt.datetime,
) -> None:
    """Keys pressed on a reminder call (or a machine answering): for the person it called."""
    keys = KeysPressed(actions, reminder.language, reminder.id, reminder.text)
    we_called = Caller(reminder.phone, reminder.timezone, CallerId.ATTESTED)  # we dialled it
    _apply_keys(session, machine, we_called, keys, now)


def _apply_keys(
    session: Session, machine: Machine, caller: Caller, keys: KeysPressed, now: dt.datetime
) -> None:
    if not changes_anything(keys.actions):
        return  # listening, or being put through, writes nothing: no row for a stranger
    person = people.lock_by_phone(session, caller.phone, now, caller.timezone)
    apply(session, machine, person, machine.step(person.state, keys, now), now)


def call_ended(
    session: Session,
    reminder_id: int,
    status: str,
    now: dt.datetime,
    retry_after: dt.timedelta,
    max_calls: int,
) -> None:
    """No answer, busy or failed gets one more try, then a text; an answered call, nothing."""
    if status in UNANSWERED:
        reminders.call_unanswered(session, reminder_id, now, retry_after, max_calls)
