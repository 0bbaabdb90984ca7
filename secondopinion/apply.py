"""Carrying out what the flow decided, for any event: state, ledger, reminders, set-wise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from flows import Machine, Outcome
from flows.outcomes.milestones import newly_reached
from flows.reminders.changes import diff
from secondopinion.inbox.cases import follow
from store import consent, milestones, people, reminders
from store.db import Pending
from store.people import Person


def apply(
    session: Session,
    machine: Machine,
    person: Person,
    outcome: Outcome,
    now: dt.datetime,
    *,
    reply_text: str | None = None,
    sid: str | None = None,
    along: Pending | None = None,
) -> None:
    """Write the outcome of a step for a locked person; the reply itself is the caller's
    (`along`: its record, sent with the person's update). `sid` is the inbound text's,
    when a text was the event."""
    people.save(session, person, outcome.conversation, now, along)
    record_effects(session, machine, person, outcome, now, reply_text=reply_text, sid=sid)


def record_effects(
    session: Session,
    machine: Machine,
    person: Person,
    outcome: Outcome,
    now: dt.datetime,
    *,
    reply_text: str | None = None,
    sid: str | None = None,
) -> None:
    """The ledger, the reminders, the milestones reached and the person's case, for a
    caller that saves the state itself (in bulk)."""
    if outcome.consent is not None:
        said = outcome.consent
        shown = machine.render(said.heard, channel="voice") if said.heard else reply_text or ""
        entry = consent.Entry(said.kind.value, said.channel, said.words, shown, sid)
        consent.record(session, person.id, person.phone, entry, now)
    if outcome.reminders.any:
        existing = reminders.schedule(session, person.id)
        changes = diff(outcome.reminders, existing, machine.plan.kinds)
        reminders.apply(session, person.id, changes, now)
    milestones.record(session, person.id, newly_reached(person.state, outcome.conversation), now)
    texted_the_case = sid is not None and person.in_inbox
    follow(session, person.id, outcome.case, outcome.consent, texted_the_case, now)
