"""The Celery app, wired the way Flask's Celery pattern does: a small factory."""

from __future__ import annotations

from typing import Any

from celery import Celery

from secondopinion.settings import Settings
from workers import broker, schedule
from workers import logs as _logs  # noqa: F401  (masks numbers in every log line)

RETENTION_EVERY_SECONDS = 3600.0


def _every(seconds: float, task: str) -> dict[str, Any]:
    """A beat entry; a run not started within two intervals is dropped (the next one comes)."""
    options = {"expires": seconds * 2}
    return {"task": f"workers.tasks.{task}", "schedule": seconds, "options": options}


TRAFFIC_EVERY_SECONDS = 300.0  # how often new numbers and answers are checked for a surge


def make_celery(settings: Settings) -> Celery:
    app = Celery("secondopinion", broker=settings.broker_url, include=["workers.tasks"])
    if settings.redis_url:
        app.conf.broker_transport = broker.PATH  # survives Redis going away (workers/broker.py)
    app.conf.update(
        task_ignore_result=True,
        task_acks_late=True,  # a task lost with its worker is delivered again ...
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        broker_connection_retry_on_startup=True,
        # Redis redelivers an unacknowledged task after this; the sweep mends faster anyway.
        broker_transport_options={"visibility_timeout": 300} if settings.redis_url else {},
        beat_scheduler=schedule.PATH,  # no schedule file; a clock set back does not stall it
        beat_schedule={
            "sweep-reminders": _every(settings.sweep_interval_seconds, "sweep_reminders"),
            "catch-up": _every(settings.catch_up_interval_seconds, "catch_up"),
            "forget-expired": _every(RETENTION_EVERY_SECONDS, "forget_expired"),
            "watch-traffic": _every(TRAFFIC_EVERY_SECONDS, "watch_traffic"),
        },
    )
    return app
