"""The conversation as a pure state machine: step(conversation, event, now) -> outcome.

An event is a text the person sent, keys pressed on a call, a reminder falling due, the
carrier refusing texts, or staff acting for the person. Whatever the event, when something
the reminder plan reads has changed, the outcome carries the new plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flows.content import Content
from flows.content.program import STAND_IN_PROGRAM
from flows.content.render import Program, Reply, render
from flows.conversation.external import CarrierRefused, StaffAction, StaffChange, carrier, staff
from flows.conversation.handoff import for_a_person, not_understood
from flows.conversation.keywords import Keywords, Kind, Reading
from flows.conversation.outcome import (
    CaseChange,
    Consent,
    ConsentKind,
    InboundText,
    Outcome,
    next_setup_step,
    prompt,
    say,
)
from flows.conversation.state import NO_MORE_TEXTS, Conversation, Language, Status, Step
from flows.conversation.steps import HANDLERS, choose_language, command, go_on
from flows.inbox.hours import OfficeHours
from flows.reminders.compose import ReminderDue, remind
from flows.reminders.plan import PlanSpec, load_plan, plan, plan_inputs
from flows.voice.actions import KeysPressed, keys_pressed

DEFAULT_PROGRAM = STAND_IN_PROGRAM
Event = InboundText | KeysPressed | ReminderDue | CarrierRefused | StaffChange


class Machine:
    """Holds the keyword tables and the plan built once from the content; `step` keeps no state."""

    def __init__(
        self,
        content: Content,
        program: Program | None = None,
        plan: PlanSpec | None = None,
        hours: OfficeHours | None = None,
    ) -> None:
        self.content = content
        self.keywords = Keywords(content)
        self.plan = plan or load_plan()
        # The weekly cap the texts promise is the one the plan keeps: one number, one place.
        per_week = self.plan.window.max_per_week
        self.program = dataclasses.replace(program or DEFAULT_PROGRAM, per_week=per_week)
        self.hours = hours or OfficeHours()  # when a person answers a question

    def render(self, reply: Reply, channel: str = "sms") -> str:
        return render(self.content, self.program, reply, channel)

    def render_key(self, key: str, language: Language, channel: str = "sms") -> str:
        return self.render(Reply(key, language), channel)

    def step(self, conv: Conversation, event: Event, now: dt.datetime) -> Outcome:
        """Answer one event; `now` is aware, passed in by the caller."""
        outcome = self._answer(conv, event, now)
        if conv.status not in NO_MORE_TEXTS and outcome.conversation.status in NO_MORE_TEXTS:
            outcome = dataclasses.replace(outcome, case=CaseChange.CLOSE)  # STOP always wins
        resumed = isinstance(event, StaffChange) and event.action is StaffAction.RESUME
        if not resumed and plan_inputs(conv) == plan_inputs(outcome.conversation):
            return outcome
        after = outcome.conversation
        changes = dataclasses.replace(
            outcome.reminders,
            plan=tuple(plan(after, now, self.plan)),
            stop_all=after.status in NO_MORE_TEXTS,
        )
        return dataclasses.replace(outcome, reminders=changes)

    def _answer(self, conv: Conversation, event: Event, now: dt.datetime) -> Outcome:
        if isinstance(event, ReminderDue):
            return remind(conv, event, now)
        if isinstance(event, KeysPressed):
            return keys_pressed(conv, event, now)
        if isinstance(event, CarrierRefused):
            return carrier(conv, event)
        if isinstance(event, StaffChange):
            return staff(conv, event, now)
        reading = self.keywords.read(event.body)
        if conv.status in (Status.NEW, Status.OPTED_OUT, Status.CONFIRMING):
            return _outside(conv, reading, now)
        return _inside(conv, reading, event.body, now, self.hours)


# The consent ledger keeps the keyword a reply matched (`Reading.label`), never the
# person's own words: a sentence that means stop may say far more than "stop".


def _enrol(conv: Conversation, language: Language, reading: Reading, now: dt.datetime) -> Outcome:
    joined = conv.replace(
        status=Status.ACTIVE, language=language, step=Step.LANGUAGE, enrolled_at=now
    )
    said = Consent(ConsentKind.OPT_IN, "sms", reading.label)
    return Outcome(joined, say(joined, "consent"), said)


def _confirmed(conv: Conversation, reading: Reading, now: dt.datetime) -> Outcome:
    """YES to the text a call asked us to send: the caller joins, as if by a verified call."""
    joined = conv.replace(status=Status.ACTIVE, enrolled_at=now)
    joined = joined.replace(step=next_setup_step(joined))
    said = Consent(ConsentKind.OPT_IN, "sms", reading.label)
    return Outcome(joined, say(joined, "voice_welcome"), said)


def _opt_out(conv: Conversation, language: Language, reading: Reading) -> Outcome:
    stopped = conv.replace(status=Status.OPTED_OUT, language=language)
    said = Consent(ConsentKind.OPT_OUT, "sms", reading.label)
    return Outcome(stopped, say(stopped, "opted_out"), said)


def _outside(conv: Conversation, reading: Reading, now: dt.datetime) -> Outcome:
    """A person who never joined or who said STOP: only joining, STOP and HELP get an answer."""
    if Kind.ENROL in reading:
        return _enrol(conv, reading.kinds[Kind.ENROL], reading, now)
    if reading.says_stop:
        if conv.status is Status.OPTED_OUT:
            return Outcome(conv)  # the stop was confirmed once already: say nothing more
        return _opt_out(conv, reading.stop_language or conv.language, reading)
    if Kind.HELP in reading:
        return Outcome(conv, Reply("help", reading.kinds[Kind.HELP]))
    if conv.status is Status.CONFIRMING and (Kind.YES in reading or Kind.OPT_IN in reading):
        return _confirmed(conv, reading, now)
    if conv.status in (Status.NEW, Status.CONFIRMING):
        return Outcome(conv, say(conv, "not_enrolled"))
    if Kind.OPT_IN in reading:
        back = conv.replace(status=Status.ACTIVE)
        said = Consent(ConsentKind.OPT_IN, "sms", reading.label)
        return Outcome(back, say(back, "welcome_back"), said)
    return Outcome(conv)


def _inside(
    conv: Conversation, reading: Reading, body: str, now: dt.datetime, hours: OfficeHours
) -> Outcome:
    """An enrolled person: stop first, then what works at any step, then the step's own answer;
    what none of them understood is for a person when it reads like a question."""
    if reading.says_stop:
        return _opt_out(conv, conv.language, reading)
    if Kind.ENROL in reading:
        again = conv.replace(language=reading.kinds[Kind.ENROL])
        return Outcome(again, prompt(again))
    if Kind.HELP in reading:
        return Outcome(conv, say(conv, "help"))
    switched = _language_command(conv, reading)
    if switched:
        return switched
    answered = HANDLERS[conv.step](conv, reading, body, now)
    if answered is None and conv.step is Step.LANGUAGE:
        moved = conv.replace(step=next_setup_step(conv))  # the keyword named the language
        if for_a_person(moved, reading, body):
            return not_understood(moved, reading, body, now, hours)
        return go_on(conv, reading, body, now)
    understood = answered or command(conv, reading, now)
    return understood or not_understood(conv, reading, body, now, hours)


def _language_command(conv: Conversation, reading: Reading) -> Outcome | None:
    if Kind.LANG_ASK in reading:
        asking = conv.replace(step=Step.LANGUAGE)
        return Outcome(asking, prompt(asking))
    for kind, language in ((Kind.LANG_EN, Language.EN), (Kind.LANG_ES, Language.ES)):
        if kind in reading:
            return choose_language(conv, language)
    return None
