"""The container of the app handling this request (built once by create_app)."""

from __future__ import annotations

from flask import Flask, current_app

from secondopinion.container import Services

KEY = "secondopinion"


def install(app: Flask, services: Services) -> None:
    app.extensions[KEY] = services


def services() -> Services:
    """The current app's services (inside a request or app context)."""
    found: Services = current_app.extensions[KEY]
    return found
