"""Flask: Twilio's webhooks, health, the staff dashboard and the simulator, by `create_app()`."""

from __future__ import annotations

import dataclasses
import secrets

from flask import Flask

from secondopinion import logs
from secondopinion.container import Services, build
from secondopinion.settings import Settings
from webhooks.current import install


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The web app: settings from the environment unless given, services built once."""
    app = Flask(__name__)
    install(app, services or _build(sandbox_ready(settings or Settings())))
    logs.configure()

    from webhooks import admin, health, simulator, sms, status, unavailable, voice

    unavailable.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(voice.bp)
    admin.init_app(app)
    simulator.init_app(app)  # only in sandbox mode
    return app


def _build(settings: Settings) -> Services:
    services = build(settings)
    if not settings.sandbox:
        return services
    from webhooks.simulator.clock import sandbox_clock

    return dataclasses.replace(services, clock=sandbox_clock(services.clock, services.sessions))


def sandbox_ready(settings: Settings) -> Settings:
    """The simulator signs its own requests: in sandbox mode, with a token of its own."""
    if not settings.sandbox:
        return settings
    if settings.twilio_account_sid:
        raise RuntimeError("the sandbox never runs with a real Twilio account: unset SANDBOX")
    if settings.twilio_auth_token:
        return settings
    return settings.model_copy(update={"twilio_auth_token": secrets.token_hex(16)})
