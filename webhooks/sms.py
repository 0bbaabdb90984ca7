"""POST /twilio/sms: one inbound text, one transaction, one TwiML answer."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort
from twilio.twiml.messaging_response import MessagingResponse

from flows.phones import guess_timezone, is_allowed, mask, to_e164
from secondopinion.conversation import Inbound, receive_text
from store.db import transaction
from webhooks import inputs
from webhooks.current import services
from webhooks.signature import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)


def twiml(texts: list[str]) -> Response:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


@bp.post("/twilio/sms")
@twilio_signed
def inbound_sms() -> Response:
    svc = services()
    phone = to_e164(inputs.field("From"))
    sid = inputs.sid("MessageSid")
    if phone is None:
        abort(400, "From is required")
    if not is_allowed(phone, svc.settings.allowed_countries):
        log.info("ignored text from outside the allowed countries: %s", mask(phone))
        return twiml([])
    zone = guess_timezone(phone, svc.settings.program_timezone)
    msg = Inbound(phone=phone, sid=sid, body=inputs.field("Body", inputs.MAX_BODY), timezone=zone)
    with transaction(svc.sessions) as session:
        answer = receive_text(session, svc.machine, msg, svc.clock(), svc.settings.reply_budget)
    log.info(
        "text from %s answered=%s duplicate=%s", mask(phone), len(answer.texts), answer.duplicate
    )
    return twiml(answer.texts)
