"""The phone simulator, present only in sandbox mode (SANDBOX=true, as `secondopinion serve`)."""

from __future__ import annotations

import secrets

from flask import Flask
from twilio.request_validator import RequestValidator

from webhooks.services import Services
from webhooks.simulator.clock import sandbox_clock


def init_app(app: Flask) -> None:
    """Register /simulator and run each sandbox's requests on its own clock; else nothing."""
    svc: Services = app.extensions["secondopinion"]
    if not svc.settings.sandbox:
        return
    if svc.settings.twilio_account_sid:
        raise RuntimeError("the sandbox never runs with a real Twilio account: unset SANDBOX")
    if not svc.settings.twilio_auth_token:  # the simulator signs its texts like Twilio does
        token = secrets.token_hex(16)
        svc.settings = svc.settings.model_copy(update={"twilio_auth_token": token})
        svc.validator = RequestValidator(token)
    from webhooks.simulator.views import bp

    svc.clock = sandbox_clock(svc.clock, svc.sessions)
    app.register_blueprint(bp)
