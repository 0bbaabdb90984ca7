"""A text fetched from Twilio's log after an outage: answered later by the send path, or not.

Twilio is no longer waiting for a TwiML answer, so the reply becomes a one-off text due
now: it goes out through the same send path as a reminder (quiet hours apply: a late
answer to a text sent at night waits for the morning; spacing and the daily cap do not).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flows.conversation.outcome import Outcome
from flows.reminders.plan import Planned

ANSWER = "answer"  # the one-off kind of a late reply
ANSWER_PRIORITY = 0


def answer_late(
    outcome: Outcome, text: str, sid: str, now: dt.datetime, overtaken: bool
) -> Outcome:
    """The reply as a one-off text. One overtaken by the person's next text in the same
    catch-up is dropped (a burst of late answers confuses), unless it is the consent text
    they must see. A STOP ends every text, this one too: Twilio's own STOP handling has
    already confirmed it to the phone."""
    if outcome.reply is None or (overtaken and outcome.consent is None):
        return dataclasses.replace(outcome, reply=None, then=None)
    answer = Planned(now, ANSWER_PRIORITY, ANSWER, f"{ANSWER}:{sid}", text)
    changes = dataclasses.replace(outcome.reminders, one_offs=(*outcome.reminders.one_offs, answer))
    return dataclasses.replace(outcome, reply=None, then=None, reminders=changes)


def is_stale(sent_at: dt.datetime, newest_answered: dt.datetime | None) -> bool:
    """A newer text from the same person was already answered: this one answers a question
    they are no longer being asked. It is kept for staff, not stepped (a stop aside)."""
    return newest_answered is not None and newest_answered > sent_at
