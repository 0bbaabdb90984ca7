"""One inbound text, in one transaction: record it, step the flow, record the answer.

The same for a text Twilio posts to the webhook and for one the catch-up fetches from
Twilio's log after an outage (`late`): the late one is answered by the send path, not
TwiML, and is not stepped at all when the person has moved on since (a stop aside).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from flows import InboundText, Machine, Outcome
from flows.conversation.late import ANSWER, answer_late, is_stale
from secondopinion.apply import apply
from store import messages, people


@dataclasses.dataclass(frozen=True, slots=True)
class Inbound:
    phone: str  # E.164
    sid: str
    body: str
    timezone: str  # the zone a new conversation starts with
    late: bool = False  # fetched from Twilio after an outage, not posted by it
    overtaken: bool = False  # late, and the same person's next text comes in the same batch


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    text: str | None
    duplicate: bool = False  # seen before (or forgotten since): nothing was changed
    stale: bool = False  # late, and overtaken by a newer text already answered


def receive_text(session: Session, machine: Machine, msg: Inbound, now: dt.datetime) -> Answer:
    """Step the conversation; a MessageSid seen before answers as it did the first time,
    and one of a person since forgotten changes nothing at all (a replay after an erase)."""
    if messages.forgotten(session, msg.sid):
        return Answer(None, duplicate=True)
    person = people.lock_by_phone(session, msg.phone, now, msg.timezone)
    if msg.late and is_stale(now, messages.last_inbound_at(session, person.id)):
        return _stale(session, machine, person, msg, now)
    status = messages.LATE if msg.late else messages.RECEIVED
    inbound = messages.record_inbound(session, person.id, msg.sid, msg.body, now, status)
    if inbound is None:
        return Answer(messages.reply_to(session, msg.sid), duplicate=True)
    outcome = machine.step(person.state, InboundText(msg.body), now)
    text = machine.render(outcome.reply) if outcome.reply else None
    if msg.late:
        outcome = answer_late(outcome, text or "", msg.sid, now, msg.overtaken)
        text = text if answers(outcome) else None  # the ledger names only what is sent
    elif outcome.reply is not None and text:
        language = outcome.reply.language.value
        messages.record_reply(session, person.id, inbound, text, outcome.reply.key, language, now)
    apply(session, machine, person, outcome, now, reply_text=text, sid=msg.sid)
    return Answer(None if msg.late else text)


def answers(outcome: Outcome) -> bool:
    """A late answer will go out (a stop ends every text, that one too)."""
    later = outcome.reminders
    return not later.stop_all and any(p.kind == ANSWER for p in later.one_offs)


def _stale(
    session: Session, machine: Machine, person: people.Person, msg: Inbound, now: dt.datetime
) -> Answer:
    """Kept for staff, unanswered; only a stop still counts (it always does)."""
    if messages.record_inbound(session, person.id, msg.sid, msg.body, now, messages.STALE) is None:
        return Answer(None, duplicate=True)
    if machine.keywords.read(msg.body).says_stop:
        outcome = machine.step(person.state, InboundText(msg.body), now)
        outcome = answer_late(outcome, "", msg.sid, now, overtaken=True)
        apply(session, machine, person, outcome, now, sid=msg.sid)
    return Answer(None, stale=True)
