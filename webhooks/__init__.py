"""Flask: Twilio's webhooks and the health check, built by `create_app()`."""

from __future__ import annotations

import logging

from flask import Flask

from secondopinion.settings import Settings
from webhooks.services import Services, init_services


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The web app: settings from the environment unless given, services built once."""
    app = Flask(__name__)
    settings = settings or Settings()
    init_services(app, services or Services.build(settings))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    from webhooks import health, sms, status, voice

    app.register_blueprint(health.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(status.bp)
    from webhooks import admin, simulator

    admin.init_app(app)
    simulator.init_app(app)  # only in sandbox mode
    app.register_blueprint(voice.bp)
    return app
