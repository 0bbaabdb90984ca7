"""Flask: Twilio's webhooks, health, the staff dashboard and the simulator, by `create_app()`."""

from __future__ import annotations

import dataclasses
import secrets

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from secondopinion import logs
from secondopinion.container import Services, build
from secondopinion.settings import Settings
from webhooks.current import install

REAL_TWILIO = ("twilio_auth_token", "twilio_account_sid", "public_base_url")


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The web app: settings from the environment unless given, services built once."""
    settings = sandbox_ready(settings or Settings())
    problem = settings.public_url_problem()
    if problem:
        raise SystemExit(f"secondopinion: {problem}")  # stops gunicorn, with the reason
    app = Flask(__name__)
    if settings.proxy_hops:  # the client's address, for per-address sign-in limits
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    install(app, services or _build(settings))
    logs.configure()

    from webhooks import (
        admin,
        guard,
        headers,
        health,
        simulator,
        sms,
        status,
        unavailable,
        voice,
        words,
    )

    guard.init_app(app, settings.max_content_length)
    words.init_app(app)
    headers.init_app(app)
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
    """The simulator signs its own requests: in sandbox mode, with a token of its own.

    The simulator has no sign-in, so it must never run where real patients are: any real
    Twilio setting, or a database other than a local SQLite file, stops the process.
    """
    if not settings.sandbox:
        return settings
    problem = sandbox_problem(settings)
    if problem:
        raise SystemExit(f"secondopinion: {problem}")
    return settings.model_copy(update={"twilio_auth_token": secrets.token_hex(16)})


def sandbox_problem(settings: Settings) -> str | None:
    """Why these settings look like production, where the sandbox must never run."""
    real = [name.upper() for name in REAL_TWILIO if getattr(settings, name)]
    if real:
        return f"SANDBOX is on but {', '.join(real)} is set: the sandbox never runs with Twilio"
    if not settings.database_url.startswith("sqlite:///"):
        return "SANDBOX is on but DATABASE_URL is not a local SQLite file"
    return None
