"""The staff dashboard at /admin and the service's /metrics."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask

from secondopinion.container import Services


def init_app(app: Flask) -> None:
    """Sessions signed with SECRET_KEY (a throwaway one in sandbox mode), /admin and /metrics."""
    svc: Services = app.extensions["secondopinion"]
    key = svc.settings.secret_key or (secrets.token_hex(32) if svc.settings.sandbox else "")
    if key:
        app.secret_key = key
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=svc.settings.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=svc.settings.staff_session_hours),
    )
    from webhooks.admin.metrics import init_app as init_metrics
    from webhooks.admin.views import bp

    init_metrics(app)
    app.register_blueprint(bp)
