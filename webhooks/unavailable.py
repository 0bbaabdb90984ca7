"""A database that is down or too slow: 503 with Retry-After, never a 500 and never a hang.

Every write of a request is one transaction, so a request cut short here has written
nothing; Twilio tries the same request again (the connection overrides in the README),
and what it still misses the catch-up fetches from Twilio's message log.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from store.db import UNAVAILABLE

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def database_unavailable(error: Exception) -> Response:
    # The class only: a driver's message may quote the row it could not write.
    log.warning("database unavailable (%s) on %s", type(error).__name__, request.path)
    answer = Response("the database is unavailable; try again\n", 503, mimetype="text/plain")
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


def init_app(app: Flask) -> None:
    """Anything else a database raises is a bug, and stays Flask's 500."""
    for error in UNAVAILABLE:
        app.register_error_handler(error, database_unavailable)
