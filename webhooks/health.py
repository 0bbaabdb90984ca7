"""Health for load balancers: /healthz (this process answers) and /readyz (it can serve).

Neither looks at the broker: texts are answered without Redis (reminders wait for it),
so a broker outage must not take the web tier out of rotation. The workers' health is
their heartbeat in the database, shown on /admin and /metrics.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from store.db import UNAVAILABLE
from webhooks.current import services

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: the process is up and serving requests; nothing else is touched."""
    return jsonify(process="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the database answers within its connect and statement timeouts."""
    try:
        with services().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except UNAVAILABLE as error:
        log.warning("not ready: database unavailable (%s)", type(error).__name__)
        return jsonify(database="down"), 503
    return jsonify(database="ok")
