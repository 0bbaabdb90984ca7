"""Twilio Voice: the bilingual phone menu and the reminder calls (state in the URL)."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Response, abort, request

from flows import Language
from flows.phones import guess_timezone, mask, to_e164
from flows.voice import menu
from flows.voice.menu import Call, CallStep
from secondopinion import voice
from store.db import transaction
from webhooks.current import services
from webhooks.signature import twilio_signed
from webhooks.twiml import voice_twiml

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)
MENU_PATH = "/twilio/voice/menu"
REMINDER_MENU_PATH = "/twilio/voice/reminder/menu"


def _caller() -> voice.Caller:
    phone = to_e164(request.form.get("From", ""))
    if phone is None:
        abort(400, "From is required")
    return voice.Caller(phone, guess_timezone(phone, services().settings.program_timezone))


def _call_from_query() -> Call:
    try:
        return Call(
            step=CallStep(request.args["step"]),
            language=Language(request.args["lang"]),
            tries=int(request.args.get("tries", 0)),
            phrase=int(request.args.get("phrase", 0)),
        )
    except (KeyError, ValueError):
        abort(400, "step and lang are required")


def _reminder() -> voice.ReminderCall:
    try:
        reminder_id = int(request.args["reminder"])
    except (KeyError, ValueError):
        abort(400, "reminder is required")
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
    with svc.sessions() as session:
        known = voice.known(session, caller.phone)
    log.info("call from %s (%s)", mask(caller.phone), "known" if known else "new")
    return voice_twiml(menu.answer(known), svc.machine, svc.settings, MENU_PATH)


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
    now = svc.clock()  # read before the transaction: the clock may look at the database
    with transaction(svc.sessions) as session:
        digits = request.form.get("Digits", "")
        outcome = voice.pressed(session, svc.machine, caller, call, digits, now)
    return voice_twiml(outcome, svc.machine, svc.settings, MENU_PATH)


@bp.post("/twilio/voice/reminder")
@twilio_signed
def reminder_answered() -> Response:
    """A reminder call was picked up: by the person, or by a machine."""
    svc = services()
    reminder = _reminder()
    if request.form.get("AnsweredBy", "").startswith(("machine", "fax")):
        _keys(reminder, (menu.Action.TEXT_REMINDER,), svc.clock())  # the words go by text
        voicemail = menu.machine_message(reminder.language)
        return voice_twiml(voicemail, svc.machine, svc.settings, "")
    outcome = menu.reminder_call(reminder.language, reminder.spoken)
    return voice_twiml(outcome, svc.machine, svc.settings, REMINDER_MENU_PATH, reminder=reminder.id)


@bp.post(REMINDER_MENU_PATH)
@twilio_signed
def reminder_choice() -> Response:
    svc = services()
    reminder, call = _reminder(), _call_from_query()
    now = svc.clock()
    with svc.sessions() as session:
        known = voice.known(session, reminder.phone)
    digits = request.form.get("Digits", "")
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
    status, now = request.form.get("CallStatus", ""), svc.clock()
    retry = dt.timedelta(minutes=settings.call_retry_minutes)
    with transaction(svc.sessions) as session:
        voice.call_ended(session, reminder.id, status, now, retry, settings.call_attempts)
    return Response(status=200)
