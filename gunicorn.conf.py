"""gunicorn's settings for the web process (the Procfile passes this file with --config)."""

from __future__ import annotations

import logging
from typing import Any

from secondopinion import logs

# A client that trickles its body holds one thread of eight, not a whole worker (a buffering
# proxy in front is still what stops many of them: README, "Run web, worker and beat").
worker_class = "gthread"
threads = 8
timeout = 30
graceful_timeout = 20
keepalive = 5

# The access log names the path without its query string, the status, size and time:
# no referrer, no user agent, nothing a patient typed, and numbers are masked.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
GUNICORN_LOGGERS = ("gunicorn.error", "gunicorn.access")


def on_starting(server: Any) -> None:
    logs.protect(logging.getLogger(name) for name in GUNICORN_LOGGERS)


def post_worker_init(worker: Any) -> None:
    logs.protect(logging.getLogger(name) for name in GUNICORN_LOGGERS)
