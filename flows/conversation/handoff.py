"""A text the flow did not understand: the step's own "didn't get that", or, when it reads
like a question or a problem, a case for a person, who will answer (the menu still follows).
"""

from __future__ import annotations

import datetime as dt

from flows.conversation.dates import looks_like_a_date
from flows.conversation.keywords import Reading
from flows.conversation.outcome import CaseChange, Outcome, prompt, say
from flows.conversation.state import Conversation, Status, Step
from flows.conversation.steps import UNCLEAR
from flows.inbox.classify import QUESTION_MARKS
from flows.inbox.hours import OfficeHours, answer_by

IN_THE_PROGRAM = frozenset({Status.ACTIVE, Status.COMPLETED})
ASKING_FOR_A_DATE = frozenset({Step.DATE, Step.DATE_CONFIRM})


def for_a_person(conv: Conversation, reading: Reading, body: str) -> bool:
    """A question or problem from someone in the program; a date we could not read, at the
    date question, is a date (unless it asks something)."""
    if not reading.for_a_person or conv.status not in IN_THE_PROGRAM:
        return False
    asks = any(mark in body for mark in QUESTION_MARKS)
    return asks or conv.step not in ASKING_FOR_A_DATE or not looks_like_a_date(body)


def not_understood(
    conv: Conversation, reading: Reading, body: str, now: dt.datetime, hours: OfficeHours
) -> Outcome:
    if not for_a_person(conv, reading, body):
        return Outcome(conv, say(conv, UNCLEAR[conv.step], date=conv.pending_date))
    when = answer_by(now, hours)
    told = say(conv, "case_today") if when.same_day else say(conv, "case_later", date=when.day)
    return Outcome(conv, told, then=prompt(conv), case=CaseChange.OPEN)
