"""POST /twilio/sms: one inbound text, one transaction, one TwiML answer."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort

from flows import phones
from flows.phones import mask
from secondopinion.conversation import Inbound, receive_text
from store.db import transaction
from webhooks import inputs
from webhooks.current import services
from webhooks.signature import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)


# What twilio's MessagingResponse writes, character for character (tests/test_sms_webhook.py
# compares the two), as a string: building its element tree costs more than the rest.
XML = '<?xml version="1.0" encoding="UTF-8"?>'
NOTHING = f"{XML}<Response />"


def twiml(texts: list[str]) -> Response:
    if not texts:
        return Response(NOTHING, mimetype="text/xml")
    messages = "".join(f"<Message>{escape(text)}</Message>" for text in texts)
    return Response(f"{XML}<Response>{messages}</Response>", mimetype="text/xml")


@bp.post("/twilio/sms")
@twilio_signed
def inbound_sms() -> Response:
    svc = services()
    number = phones.read(inputs.field("From"))  # parsed once: it is the costly part
    sid = inputs.sid("MessageSid")
    if number is None:
        abort(400, "From is required")
    phone = number.e164
    if number.region not in svc.settings.allowed_countries:
        log.info("ignored text from outside the allowed countries: %s", mask(phone))
        return twiml([])
    zone = number.timezone(svc.settings.program_timezone)
    msg = Inbound(phone=phone, sid=sid, body=inputs.field("Body", inputs.MAX_BODY), timezone=zone)
    with transaction(svc.sessions) as session:
        answer = receive_text(session, svc.machine, msg, svc.clock(), svc.settings.reply_budget)
    log.info(
        "text from %s answered=%s duplicate=%s", mask(phone), len(answer.texts), answer.duplicate
    )
    return twiml(answer.texts)
