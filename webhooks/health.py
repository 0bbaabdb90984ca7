"""GET /healthz: 200 when the database and the broker both answer, else 503 naming which."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from kombu import Connection
from sqlalchemy import text

from webhooks.current import services

bp = Blueprint("health", __name__)
BROKER_TIMEOUT_S = 2.0


def _database_ok() -> bool:
    try:
        with services().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def _broker_ok() -> bool:
    url = services().settings.broker_url
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_S) as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
    except Exception:
        return False
    return True


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    return jsonify(body), 200 if all(checks.values()) else 503
