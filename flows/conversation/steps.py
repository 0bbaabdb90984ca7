"""What a reply means at each step, and the commands that work at any step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flows.conversation import visit
from flows.conversation.dates import read_date
from flows.conversation.keywords import Kind, Reading
from flows.conversation.outcome import Outcome, next_setup_step, prompt, say
from flows.conversation.state import Conversation, Language, Referral, Status, Step, VisitOutcome

MAX_DAYS_AHEAD = 365

Handler = Callable[[Conversation, Reading, str, dt.datetime], Outcome | None]


def local_today(conv: Conversation, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(conv.timezone)).date()


def choose_language(conv: Conversation, language: Language) -> Outcome:
    """Switch language; at the language question, go on to the next question."""
    chosen = conv.replace(language=language)
    if chosen.step is Step.LANGUAGE:
        chosen = chosen.replace(step=next_setup_step(chosen))
    return Outcome(chosen, prompt(chosen))


def _language(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome | None:
    choice = {"1": Language.EN, "2": Language.ES}.get(reading.compact)
    return choose_language(conv, choice) if choice else None


def _date(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome | None:
    if Kind.NOT_BOOKED in reading:
        deferred = conv.replace(
            date_deferred=True, deferred_at=now, appointment=None, pending_date=None
        )
        deferred = deferred.replace(step=next_setup_step(deferred))
        key = "not_booked_ask_referral" if deferred.step is Step.REFERRAL else "not_booked"
        return Outcome(deferred, say(deferred, key))
    today = local_today(conv, now)
    day = read_date(body, conv.language, today)
    if day is None:
        return None
    if day < today or day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        again = conv.replace(step=Step.DATE, pending_date=None)
        return Outcome(again, say(again, "date_past" if day < today else "date_too_far"))
    asking = conv.replace(step=Step.DATE_CONFIRM, pending_date=day)
    return Outcome(asking, say(asking, "confirm_date", date=day))


def _date_confirm(
    conv: Conversation, reading: Reading, body: str, now: dt.datetime
) -> Outcome | None:
    if Kind.YES in reading and conv.pending_date:
        saved = conv.replace(appointment=conv.pending_date, pending_date=None, date_deferred=False)
        if saved.status is Status.COMPLETED:  # a new visit after the last one: back on the plan
            saved = saved.replace(status=Status.ACTIVE)
        saved = saved.replace(step=next_setup_step(saved))
        key = "date_saved_ask_referral" if saved.step is Step.REFERRAL else "date_saved"
        return Outcome(saved, say(saved, key, date=saved.appointment))
    if Kind.NO in reading or conv.pending_date is None:
        again = conv.replace(step=Step.DATE, pending_date=None)
        return Outcome(again, say(again, "ask_date"))
    return _date(conv, reading, body, now)  # a different date typed instead of yes / no


REFERRAL_ANSWERS: dict[Kind, tuple[Referral, str]] = {
    Kind.YES: (Referral.NEEDED, "referral_yes"),
    Kind.NO: (Referral.NOT_NEEDED, "referral_no"),
    Kind.UNSURE: (Referral.UNSURE, "referral_unsure"),
}


def _referral(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome | None:
    for kind, (referral, key) in REFERRAL_ANSWERS.items():
        if kind in reading:
            answered = conv.replace(referral=referral, referral_at=now, step=Step.READY)
            return Outcome(answered, say(answered, key))
    return None


def _ready(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome | None:
    if conv.referral is Referral.UNSURE:  # they went to find out; YES / NO is that answer
        return _referral(conv, reading, body, now)
    return None


def _outcome(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome | None:
    """Did the visit happen? A date typed instead of MOVED is the new date."""
    answered = visit.answer(conv, reading, now)
    if answered or read_date(body, conv.language, local_today(conv, now)) is None:
        return answered
    return _date(visit.recorded(conv, VisitOutcome.MOVED, now), reading, body, now)


HANDLERS: dict[Step, Handler] = {
    Step.LANGUAGE: _language,
    Step.DATE: _date,
    Step.DATE_CONFIRM: _date_confirm,
    Step.REFERRAL: _referral,
    Step.READY: _ready,
    Step.OUTCOME: _outcome,
}

UNCLEAR: dict[Step, str] = {
    Step.LANGUAGE: "language_question",
    Step.DATE: "date_unclear",
    Step.DATE_CONFIRM: "confirm_unclear",
    Step.REFERRAL: "referral_unclear",
    Step.READY: "unknown",
    Step.OUTCOME: "outcome_unclear",
}


def _records(conv: Conversation, done: tuple[int, ...] | None) -> Outcome:
    if done == ():
        return Outcome(conv, say(conv, "records_which"))
    updated = conv.replace(records_done=conv.records_done | frozenset(done or ()))
    missing = updated.records_missing
    if not missing:
        return Outcome(updated, say(updated, "records_all_done"))
    key = "records" if done is None else "records_progress"
    return Outcome(updated, say(updated, key, missing=missing))


def command(conv: Conversation, reading: Reading, now: dt.datetime) -> Outcome | None:
    """Commands that work at any step once enrolled."""
    if reading.done is not None:
        return _records(conv, reading.done)
    if reading.numbers is not None and conv.step is Step.READY:  # "1, 3" after the list
        return _records(conv, reading.numbers)
    if Kind.RECORDS in reading:
        return _records(conv, None)
    if Kind.PHRASES in reading:
        shown = conv.replace(phrase_index=conv.phrase_index + 1)
        return Outcome(shown, say(shown, "phrase", phrase=conv.phrase_index))
    if Kind.DATE in reading:
        asking = conv.replace(step=Step.DATE, pending_date=None)
        return Outcome(asking, say(asking, "ask_date"))
    if Kind.REFERRAL in reading:
        asking = conv.replace(step=Step.REFERRAL)
        return Outcome(asking, say(asking, "ask_referral"))
    if Kind.SENT in reading:
        sent = conv.replace(referral=Referral.SENT)
        return Outcome(sent, say(sent, "referral_sent"))
    for kind, calls in ((Kind.CALLS, True), (Kind.TEXTS, False)):
        if kind in reading:
            chosen = conv.replace(calls=calls)
            return Outcome(chosen, say(chosen, "calls_on" if calls else "calls_off"))
    if Kind.UPSET in reading:
        return Outcome(conv, say(conv, "upset"))
    if Kind.MENU in reading:
        return Outcome(conv, say(conv, "menu"))
    return None


def go_on(conv: Conversation, reading: Reading, body: str, now: dt.datetime) -> Outcome:
    """At the language question, a reply that is no language choice (a date, "Sí", a question)
    goes on in the language of the keyword they joined with, read as the next answer."""
    moved = conv.replace(step=next_setup_step(conv))
    answered = HANDLERS[moved.step](moved, reading, body, now) or command(moved, reading, now)
    return answered or Outcome(moved, prompt(moved))
