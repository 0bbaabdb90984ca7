"""The phone simulator, present only in sandbox mode (SANDBOX=true, as `secondopinion serve`)."""

from __future__ import annotations

from flask import Flask

from webhooks.current import services


def init_app(app: Flask) -> None:
    """Register /simulator in sandbox mode (its clock was chosen when the app was built)."""
    with app.app_context():
        if not services().settings.sandbox:
            return
    from webhooks.simulator import call  # noqa: F401  (its routes join the blueprint)
    from webhooks.simulator.views import bp

    app.register_blueprint(bp)
