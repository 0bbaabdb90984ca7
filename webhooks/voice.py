"""Twilio Voice: the bilingual phone menu and the reminder calls (state in the URL)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from flows import voice
from flows.phones import guess_timezone, mask, to_e164
from flows.state import Language
from flows.voice import Call, CallStep
from store.db import transaction
from store.models import ConversationRow, ReminderRow
from store.voice import apply_actions, find_caller
from store.voice_calls import call_finished
from webhooks.services import services
from webhooks.signature import twilio_signed
from webhooks.twiml_voice import voice_twiml

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)
MENU_PATH = "/twilio/voice/menu"
REMINDER_MENU_PATH = "/twilio/voice/reminder/menu"


def _caller_number() -> str:
    phone = to_e164(request.form.get("From", ""))
    if phone is None:
        abort(400, "From is required")
    return phone


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


@bp.post("/twilio/voice")
@twilio_signed
def incoming_call() -> Response:
    svc = services()
    phone = _caller_number()
    with svc.sessions() as session:
        caller = find_caller(session, phone)
    log.info("call from %s (%s)", mask(phone), "known" if caller else "new")
    return voice_twiml(voice.answer(caller), svc.machine, svc.settings, MENU_PATH)


@bp.post(MENU_PATH)
@twilio_signed
def menu_choice() -> Response:
    svc = services()
    phone, call = _caller_number(), _call_from_query()
    zone = guess_timezone(phone, svc.settings.program_timezone)
    now = svc.clock()  # read before the transaction: the clock may look at the database
    with transaction(svc.sessions) as session:
        caller = find_caller(session, phone)
        outcome = voice.press(call, request.form.get("Digits", ""), caller)
        apply_actions(session, svc.machine, (phone, zone), call.language, outcome.actions, now)
    return voice_twiml(outcome, svc.machine, svc.settings, MENU_PATH)


def _reminder() -> tuple[ReminderRow, ConversationRow]:
    try:
        reminder_id = int(request.args["reminder"])
    except (KeyError, ValueError):
        abort(400, "reminder is required")
    with services().sessions() as session:
        reminder = session.get(ReminderRow, reminder_id)
        if reminder is None or reminder.spoken is None:
            abort(404)
        return reminder, reminder.conversation


@bp.post("/twilio/voice/reminder")
@twilio_signed
def reminder_answered() -> Response:
    """A reminder call was picked up: by the person, or by a machine."""
    svc = services()
    reminder, row = _reminder()
    language = Language(row.language)
    if request.form.get("AnsweredBy", "").startswith(("machine", "fax")):
        now = svc.clock()
        with transaction(svc.sessions) as session:
            actions = (voice.Action.TEXT_REMINDER,)  # the words go by text instead
            apply_actions(
                session, svc.machine, (row.phone, row.timezone), language, actions, now, reminder.id
            )
        return voice_twiml(voice.machine_message(language), svc.machine, svc.settings, "")
    outcome = voice.reminder_call(language, reminder.spoken or "")
    return voice_twiml(outcome, svc.machine, svc.settings, REMINDER_MENU_PATH, reminder=reminder.id)


@bp.post(REMINDER_MENU_PATH)
@twilio_signed
def reminder_choice() -> Response:
    svc = services()
    reminder, row = _reminder()
    call = _call_from_query()
    now = svc.clock()
    with transaction(svc.sessions) as session:
        caller = find_caller(session, row.phone)
        outcome = voice.press(
            call, request.form.get("Digits", ""), caller, spoken_reminder=reminder.spoken or ""
        )
        apply_actions(
            session,
            svc.machine,
            (row.phone, row.timezone),
            call.language,
            outcome.actions,
            now,
            reminder.id,
        )
    return voice_twiml(outcome, svc.machine, svc.settings, REMINDER_MENU_PATH, reminder=reminder.id)


@bp.post("/twilio/voice/status")
@twilio_signed
def call_status() -> Response:
    """How a reminder call ended: no answer or busy is tried again, then sent as a text."""
    svc = services()
    reminder, _row = _reminder()
    status, now = request.form.get("CallStatus", ""), svc.clock()
    with transaction(svc.sessions) as session:
        call_finished(session, reminder.id, status, now, svc.settings)
    return Response(status=200)
