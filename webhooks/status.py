"""POST /twilio/status: Twilio's delivery reports. Always 200, so Twilio does not retry."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from store.db import transaction
from store.delivery import record_status
from webhooks.services import services
from webhooks.signature import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("status", __name__)


@bp.post("/twilio/status")
@twilio_signed
def delivery_status() -> Response:
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    if not sid or not status:
        abort(400, "MessageSid and MessageStatus are required")
    code = request.form.get("ErrorCode", "")
    error_code = int(code) if code.isdigit() else None
    svc = services()
    with transaction(svc.sessions) as session:
        known = record_status(session, sid, status, error_code, svc.clock(), svc.machine.plan)
    log.info("status %s for a %s message (error %s)", status, "known" if known else "unknown", code)
    return Response(status=200)
