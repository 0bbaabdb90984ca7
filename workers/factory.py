"""The Celery app, wired the way Flask's Celery pattern does: a small factory."""

from __future__ import annotations

from celery import Celery

from secondopinion.settings import Settings
from workers import broker, schedule
from workers import logs as _logs  # noqa: F401  (masks numbers in every log line)


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
            "sweep-reminders": {
                "task": "workers.tasks.sweep_reminders",
                "schedule": settings.sweep_interval_seconds,
                "options": {"expires": settings.sweep_interval_seconds * 2},
            }
        },
    )
    return app
