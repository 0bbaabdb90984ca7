"""POST /twilio/status: Twilio's delivery reports. Always 200, so Twilio does not retry."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from secondopinion.delivery import delivery_report
from store.db import transaction
from webhooks import inputs
from webhooks.current import services
from webhooks.signature import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("status", __name__)


@bp.post("/twilio/status")
@twilio_signed
def delivery_status() -> Response:
    sid = inputs.sid("MessageSid" if "MessageSid" in request.form else "SmsSid")
    status = (inputs.field("MessageStatus") or inputs.field("SmsStatus")).lower()
    if not status:
        abort(400, "MessageSid and MessageStatus are required")
    code = inputs.field("ErrorCode")
    error_code = inputs.bounded(code)
    svc = services()
    with transaction(svc.sessions) as session:
        known = delivery_report(session, svc.machine, sid, status, error_code, svc.clock())
    log.info(
        "status %s for a %s message (error %s)",
        status[:20],
        "known" if known else "unknown",
        error_code,
    )
    return Response(status=200)
