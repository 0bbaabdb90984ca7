"""Twilio Voice: the bilingual phone menu and the reminder calls (state in the URL)."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Response, abort, request
from twilio.twiml.voice_response import VoiceResponse

from flows import Language
from flows.phones import guess_timezone, is_allowed, is_hidden, mask, to_e164
from flows.voice import menu, trust
from flows.voice.menu import Call, CallStep
from flows.voice.trust import CallerId
from secondopinion import voice
from store.db import transaction
from webhooks import inputs
from webhooks.current import services
from webhooks.signature import twilio_signed
from webhooks.twiml import voice_twiml

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)
MENU_PATH = "/twilio/voice/menu"
REMINDER_MENU_PATH = "/twilio/voice/reminder/menu"
MAX_QUERY_NUMBER = 1000  # tries and phrase: small counters of our own
ATTESTED_KEY = "cid"  # in the URL of later steps: the carrier attested the caller's number


def _caller() -> voice.Caller | None:
    """Who is calling, and how far caller ID can be trusted; None: outside the countries."""
    settings = services().settings
    raw = inputs.field("From")
    phone = None if is_hidden(raw) else to_e164(raw)
    if phone is None:  # anonymous, restricted or not a number: the menu, and nothing else
        return voice.Caller("", settings.program_timezone, CallerId.HIDDEN)
    if not is_allowed(phone, settings.allowed_countries):
        log.info("hung up on a call from outside the allowed countries: %s", mask(phone))
        return None
    attested = request.args.get(ATTESTED_KEY) == CallerId.ATTESTED  # said on the first request
    who = CallerId.ATTESTED if attested else trust.caller_id(False, inputs.field("StirVerstat"))
    return voice.Caller(phone, guess_timezone(phone, settings.program_timezone), who)


def _carry(caller: voice.Caller) -> dict[str, str]:
    """Twilio sends StirVerstat with a call's first request: later steps carry it in the URL."""
    return {ATTESTED_KEY: caller.who.value} if caller.who is CallerId.ATTESTED else {}


def _allowed(phone: str) -> bool:
    return is_allowed(phone, services().settings.allowed_countries)


def _hang_up() -> Response:
    response = VoiceResponse()
    response.hangup()
    return Response(str(response), mimetype="text/xml")


def _call_from_query() -> Call:
    try:
        step, language = CallStep(request.args["step"]), Language(request.args["lang"])
    except (KeyError, ValueError):
        abort(400, "step and lang are required")
    tries = inputs.query_number("tries", 0, MAX_QUERY_NUMBER)
    return Call(step, language, tries, inputs.query_number("phrase", 0, MAX_QUERY_NUMBER))


def _reminder() -> voice.ReminderCall:
    reminder_id = inputs.query_number("reminder")
    with services().sessions() as session:
        found = voice.reminder_call(session, reminder_id)
    if found is None:
        abort(404)
    return found


@bp.post("/twilio/voice")
@twilio_signed
def incoming_call() -> Response:
    svc = services()
    caller = _caller()
    if caller is None:
        return _hang_up()
    with svc.sessions() as session:
        known = voice.known(session, caller.phone) if caller.phone else None
    log.info("call from %s (%s, %s)", mask(caller.phone), "known" if known else "new", caller.who)
    answer = menu.answer(known)
    return voice_twiml(answer, svc.machine, svc.settings, MENU_PATH, **_carry(caller))


@bp.post("/twilio/voice/fallback")
@twilio_signed
def fallback() -> Response:
    """Twilio's fallback URL for calls: answers without the database (see the README)."""
    svc = services()
    return voice_twiml(menu.unavailable(), svc.machine, svc.settings, "")


@bp.post(MENU_PATH)
@twilio_signed
def menu_choice() -> Response:
    svc = services()
    caller, call = _caller(), _call_from_query()
    if caller is None:
        return _hang_up()
    now = svc.clock()  # read before the transaction: the clock may look at the database
    with transaction(svc.sessions) as session:
        digits = inputs.field("Digits", 1)
        outcome = voice.pressed(session, svc.machine, caller, call, digits, now)
    return voice_twiml(outcome, svc.machine, svc.settings, MENU_PATH, **_carry(caller))


@bp.post("/twilio/voice/reminder")
@twilio_signed
def reminder_answered() -> Response:
    """A reminder call was picked up: by the person, or by a machine."""
    svc = services()
    reminder = _reminder()
    if not _allowed(reminder.phone):
        return _hang_up()
    answered_by = inputs.field("AnsweredBy")
    if answered_by.startswith(("machine", "fax")):
        _keys(reminder, (menu.Action.TEXT_REMINDER,), svc.clock())  # the words go by text
        voicemail = menu.machine_message(reminder.language)
        return voice_twiml(voicemail, svc.machine, svc.settings, "")
    if answered_by == "human":
        outcome = menu.reminder_call(reminder.language, reminder.spoken)
    else:  # "unknown" (or no detection): nothing personal until someone presses a key
        outcome = menu.reminder_gate(reminder.language)
    return voice_twiml(outcome, svc.machine, svc.settings, REMINDER_MENU_PATH, reminder=reminder.id)


@bp.post(REMINDER_MENU_PATH)
@twilio_signed
def reminder_choice() -> Response:
    svc = services()
    reminder, call = _reminder(), _call_from_query()
    if not _allowed(reminder.phone):
        return _hang_up()
    now = svc.clock()
    with svc.sessions() as session:
        known = voice.known(session, reminder.phone)
    digits = inputs.field("Digits", 1)
    outcome = menu.press(call, digits, known, spoken_reminder=reminder.spoken)
    _keys(reminder, outcome.actions, now)
    return voice_twiml(outcome, svc.machine, svc.settings, REMINDER_MENU_PATH, reminder=reminder.id)


def _keys(reminder: voice.ReminderCall, actions: tuple[menu.Action, ...], now: dt.datetime) -> None:
    svc = services()
    with transaction(svc.sessions) as session:
        voice.reminder_keys(session, svc.machine, reminder, actions, now)


@bp.post("/twilio/voice/status")
@twilio_signed
def call_status() -> Response:
    """How a reminder call ended: no answer or busy is tried again, then sent as a text."""
    svc, settings = services(), services().settings
    reminder = _reminder()
    if not _allowed(reminder.phone):
        return Response(status=200)  # no retry, no text: the number is outside the countries
    status, now = inputs.field("CallStatus"), svc.clock()
    retry = dt.timedelta(minutes=settings.call_retry_minutes)
    with transaction(svc.sessions) as session:
        voice.call_ended(session, reminder.id, status, now, retry, settings.call_attempts)
    return Response(status=200)
