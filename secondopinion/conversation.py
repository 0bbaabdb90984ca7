"""One inbound text, in one transaction: record it, step the flow, record the answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy.orm import Session

from flows import InboundText, Machine
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


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    texts: list[str]  # the reply, and what follows it (the menu after a question)
    duplicate: bool = False


def receive_text(
    session: Session, machine: Machine, msg: Inbound, now: dt.datetime, budget: ReplyBudget
) -> Answer:
    """Step the conversation; a MessageSid seen before answers as it did the first time.

    The answer is withheld past the number's reply budget; what the text changes is not.
    """
    person = people.lock_by_phone(session, msg.phone, now, msg.timezone)
    inbound = messages.record_inbound(session, person.id, msg.sid, msg.body, now)
    if inbound is None:
        return Answer(messages.replies_to(session, msg.sid), duplicate=True)
    outcome = machine.step(person.state, InboundText(msg.body), now)
    if outcome.reply is not None and not _within(
        session, person.id, msg, outcome.reply.key, now, budget
    ):
        outcome = dataclasses.replace(outcome, reply=None, then=None)
    texts: list[str] = []
    for reply in (outcome.reply, outcome.then):
        text = machine.render(reply) if reply else ""
        if reply is not None and text:
            key, language = reply.key, reply.language.value
            messages.record_reply(session, person.id, inbound, text, key, language, now)
            texts.append(text)
    shown = texts[0] if texts else None  # the consent ledger keeps what answered the words
    apply(session, machine, person, outcome, now, reply_text=shown, sid=msg.sid)
    return Answer(texts)


def _within(
    session: Session, person: int, msg: Inbound, key: str, now: dt.datetime, budget: ReplyBudget
) -> bool:
    since = now - WINDOW
    found = Recent(*messages.recent(session, person, msg.body, since, LOW_VALUE))
    if may_answer(key, found, budget):
        return True
    log.info("answer withheld from %s: over its reply budget (%s)", mask(msg.phone), found)
    return False
