"""The text conversation as a pure state machine: step(conversation, event, now) -> outcome."""

from __future__ import annotations

import datetime as dt

from flows.content import Content
from flows.keywords import Keywords, Kind, Reading
from flows.outcome import ConsentChange, InboundText, Outcome, prompt, say
from flows.plan import PlanSpec, load_plan
from flows.reminders import ReminderDue, remind
from flows.replies import Program, Reply, render
from flows.state import Conversation, Language, Status, Step
from flows.steps import HANDLERS, UNCLEAR, choose_language, command

DEFAULT_PROGRAM = Program("Second Opinion Prep", "your patient navigation team", "your clinic")


class Machine:
    """Holds the keyword tables built once from the content; `step` itself keeps no state."""

    def __init__(
        self, content: Content, program: Program | None = None, plan: PlanSpec | None = None
    ) -> None:
        self.content = content
        self.keywords = Keywords(content)
        self.program = program or DEFAULT_PROGRAM
        self.plan = plan or load_plan()

    def render(self, reply: Reply, channel: str = "sms") -> str:
        return render(self.content, self.program, reply, channel)

    def render_key(self, key: str, language: Language, channel: str = "sms") -> str:
        return self.render(Reply(key, language), channel)

    def step(
        self, conv: Conversation, event: InboundText | ReminderDue, now: dt.datetime
    ) -> Outcome:
        """Answer one inbound text or due reminder; `now` is aware, passed in by the caller."""
        if isinstance(event, ReminderDue):
            return remind(conv, event)
        reading = self.keywords.read(event.body)
        if conv.status in (Status.NEW, Status.OPTED_OUT):
            return _outside(conv, reading, now)
        return _inside(conv, reading, event.body, now)


def _enrol(conv: Conversation, language: Language, now: dt.datetime) -> Outcome:
    joined = conv.replace(
        status=Status.ACTIVE, language=language, step=Step.LANGUAGE, enrolled_at=now
    )
    return Outcome(joined, say(joined, "consent"), ConsentChange.OPT_IN, replan=True)


def _opt_out(conv: Conversation, language: Language) -> Outcome:
    stopped = conv.replace(status=Status.OPTED_OUT, language=language)
    return Outcome(stopped, say(stopped, "opted_out"), ConsentChange.OPT_OUT, replan=True)


def _outside(conv: Conversation, reading: Reading, now: dt.datetime) -> Outcome:
    """A person who never joined or who said STOP: only joining, STOP and HELP get an answer."""
    if Kind.ENROL in reading:
        return _enrol(conv, reading.kinds[Kind.ENROL], now)
    if reading.says_stop:
        if conv.status is Status.OPTED_OUT:
            return Outcome(conv)  # the stop was confirmed once already: say nothing more
        return _opt_out(conv, reading.stop_language or conv.language)
    if Kind.HELP in reading:
        return Outcome(conv, Reply("help", reading.kinds[Kind.HELP]))
    if conv.status is Status.NEW:
        return Outcome(conv, say(conv, "not_enrolled"))
    if Kind.OPT_IN in reading:
        back = conv.replace(status=Status.ACTIVE)
        return Outcome(back, say(back, "welcome_back"), ConsentChange.OPT_IN, replan=True)
    return Outcome(conv)


def _inside(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome:
    """An enrolled person: stop first, then what works at any step, then the step's own answer."""
    if reading.says_stop:
        return _opt_out(conv, conv.language)
    if Kind.ENROL in reading:
        again = conv.replace(language=reading.kinds[Kind.ENROL])
        return Outcome(again, prompt(again))
    if Kind.HELP in reading:
        return Outcome(conv, say(conv, "help"))
    switched = _language_command(conv, reading)
    if switched:
        return switched
    answered = HANDLERS[conv.step](conv, reading, body, now)
    return (
        answered
        or command(conv, reading, now)
        or Outcome(conv, say(conv, UNCLEAR[conv.step], date=conv.pending_date))
    )


def _language_command(conv: Conversation, reading: Reading) -> Outcome | None:
    if Kind.LANG_ASK in reading:
        asking = conv.replace(step=Step.LANGUAGE)
        return Outcome(asking, prompt(asking))
    for kind, language in ((Kind.LANG_EN, Language.EN), (Kind.LANG_ES, Language.ES)):
        if kind in reading:
            return choose_language(conv, language)
    return None
