"""One inbound text, in one transaction: record it, step the flow, record the answer.

The same for a text Twilio posts to the webhook and for one the catch-up fetches from
Twilio's log after an outage (`late`): the late one is answered by the send path, not
TwiML, and is not stepped at all when the person has moved on since (a stop aside). Past
the number's reply budget the answer is withheld; what the text changes is not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy.orm import Session

from flows import InboundText, Machine, Outcome
from flows.conversation.late import ANSWER, answer_late, is_stale
from flows.conversation.limits import LOW_VALUE, Recent, ReplyBudget, may_answer
from flows.phones import mask
from secondopinion.apply import apply
from store import messages, people

log = logging.getLogger(__name__)
WINDOW = dt.timedelta(hours=24)  # the reply budget of one number covers this long


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
    texts: list[str]  # the reply, and what follows it (the menu after a question)
    duplicate: bool = False  # seen before (or forgotten since): nothing was changed
    stale: bool = False  # late, and overtaken by a newer text already answered


def receive_text(
    session: Session, machine: Machine, msg: Inbound, now: dt.datetime, budget: ReplyBudget
) -> Answer:
    """Step the conversation; a MessageSid seen before answers as it did the first time,
    and one of a person since forgotten changes nothing at all (a replay after an erase)."""
    person = people.lock_for_text(session, msg.phone, msg.sid, now, msg.timezone)
    if person is None:  # forgotten
        return Answer([], duplicate=True)
    if msg.late and is_stale(now, messages.last_inbound_at(session, person.id)):
        return _stale(session, machine, person, msg, now)
    status = messages.LATE if msg.late else messages.RECEIVED
    inbound, counts = messages.record_inbound_counting(
        session, person.id, msg.sid, msg.body, now, now - WINDOW, LOW_VALUE, status
    )  # the reply budget is counted with the text recorded: one statement on PostgreSQL
    if inbound is None:
        return Answer(messages.replies_to(session, msg.sid), duplicate=True)
    outcome = machine.step(person.state, InboundText(msg.body), now)
    if outcome.reply is not None and not _within(msg, outcome.reply.key, Recent(*counts), budget):
        outcome = dataclasses.replace(outcome, reply=None, then=None)
    replies = [r for r in (outcome.reply, outcome.then) if r is not None]
    if msg.late:
        text = "\n\n".join(machine.render(r) for r in replies)
        outcome = answer_late(outcome, text, msg.sid, now, msg.overtaken)
        shown = text if answers(outcome) else None  # the ledger names only what is sent
        apply(session, machine, person, outcome, now, reply_text=shown, sid=msg.sid)
        return Answer([])
    texts = [machine.render(reply) for reply in replies]
    pairs = zip(replies, texts, strict=True)
    records = [
        messages.reply(person.id, inbound, text, reply.key, reply.language.value, now)
        for reply, text in pairs
    ]
    for record in records[:-1]:
        record.run(session)
    last = records[-1] if records else None  # sent with the person's update
    shown = texts[0] if texts else None  # the consent ledger keeps what answered the words
    apply(session, machine, person, outcome, now, reply_text=shown, sid=msg.sid, along=last)
    return Answer(texts)


def answers(outcome: Outcome) -> bool:
    """A late answer will go out (a stop ends every text, that one too)."""
    later = outcome.reminders
    return not later.stop_all and any(p.kind == ANSWER for p in later.one_offs)


def _within(msg: Inbound, key: str, found: Recent, budget: ReplyBudget) -> bool:
    if may_answer(key, found, budget):
        return True
    log.info("answer withheld from %s: over its reply budget (%s)", mask(msg.phone), found)
    return False


def _stale(
    session: Session, machine: Machine, person: people.Person, msg: Inbound, now: dt.datetime
) -> Answer:
    """Kept for staff, unanswered; only a stop still counts (it always does)."""
    if messages.record_inbound(session, person.id, msg.sid, msg.body, now, messages.STALE) is None:
        return Answer([], duplicate=True)
    if machine.keywords.read(msg.body).says_stop:
        outcome = machine.step(person.state, InboundText(msg.body), now)
        outcome = answer_late(outcome, "", msg.sid, now, overtaken=True)
        apply(session, machine, person, outcome, now, sid=msg.sid)
    return Answer([], stale=True)
