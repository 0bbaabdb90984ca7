"""Celery tasks: thin wrappers that take ids, reload state, and call secondopinion.reminders."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from celery import shared_task
from celery.signals import worker_shutting_down

from secondopinion import traffic
from secondopinion.catchup import catch_up
from secondopinion.container import Services, build
from secondopinion.privacy import expire
from secondopinion.reminders.send import send_reminders
from secondopinion.reminders.sweep import chunk_size, sweep
from secondopinion.settings import Settings
from store.db import UNAVAILABLE

log = logging.getLogger(__name__)


@functools.cache
def services() -> Services:
    """Built on first use in each worker process, never at import."""
    return build(Settings())


STOPPING = threading.Event()  # set on a warm shutdown (SIGTERM): finish the group, hand back


@worker_shutting_down.connect
def _stop_sending(**_: Any) -> None:
    STOPPING.set()


def _dispatch(ids: list[int]) -> None:
    """Pipelined publishes (kombu's Producer.batch), in tasks of `chunk_size` ids."""
    chunk = chunk_size(len(ids), services().settings.send_rate_per_second)
    with send_reminders_task.app.producer_or_acquire() as producer, producer.batch():
        for start in range(0, len(ids), chunk):
            send_reminders_task.apply_async((ids[start : start + chunk],), producer=producer)


def _unless_the_database_is_down(name: str, job: Callable[[], dict[str, int]]) -> dict[str, int]:
    """A periodic job when the database is away: one line, not a traceback; the next run
    (seconds away) does the work."""
    try:
        return job()
    except UNAVAILABLE as error:
        log.warning("%s skipped: database unavailable (%s)", name, type(error).__name__)
        return {"database_unavailable": 1}


@shared_task(name="workers.tasks.sweep_reminders")
def sweep_reminders() -> dict[str, int]:
    return _unless_the_database_is_down("sweep", lambda: sweep(services(), _dispatch))


@shared_task(name="workers.tasks.watch_traffic")
def watch_traffic() -> dict[str, int]:
    """A warning in the log when new numbers or answers surge (SMS pumping)."""
    svc = services()
    with svc.sessions() as session:
        return traffic.watch(session, svc.clock(), svc.settings.pumping_factor,
                             svc.settings.pumping_min_per_hour)  # fmt: skip


@shared_task(name="workers.tasks.send_reminders")
def send_reminders_task(reminder_ids: list[int]) -> list[str]:
    """A chunk in two phases; one failing reminder does not stop the rest."""
    return send_reminders(services(), reminder_ids, STOPPING.is_set)


@shared_task(name="workers.tasks.catch_up")
def catch_up_task() -> dict[str, int]:
    """Texts and delivery reports Twilio has that were missed (an outage), taken in."""
    svc = services()
    return _unless_the_database_is_down("catch-up", lambda: catch_up(svc, svc.clock()))


@shared_task(name="workers.tasks.forget_expired")
def forget_expired() -> dict[str, int]:
    """Finished conversations quiet for RETENTION_DAYS: forgotten."""
    svc = services()
    return _unless_the_database_is_down("retention", lambda: expire(svc, svc.clock()))
