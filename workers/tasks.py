"""Celery tasks: thin wrappers that take ids, reload state, and call secondopinion.reminders."""

from __future__ import annotations

import functools

from celery import shared_task

from secondopinion import traffic
from secondopinion.container import Services, build
from secondopinion.reminders.send import send_reminders
from secondopinion.reminders.sweep import sweep
from secondopinion.settings import Settings


@functools.cache
def services() -> Services:
    """Built on first use in each worker process, never at import."""
    return build(Settings())


CHUNK = 20  # reminders per task: Celery's own cost per task is about a third of a send


def _dispatch(ids: list[int]) -> None:
    """Pipelined publishes (kombu's Producer.batch), one task per CHUNK ids."""
    with send_reminders_task.app.producer_or_acquire() as producer, producer.batch():
        for start in range(0, len(ids), CHUNK):
            send_reminders_task.apply_async((ids[start : start + CHUNK],), producer=producer)


@shared_task(name="workers.tasks.sweep_reminders")
def sweep_reminders() -> dict[str, int]:
    return sweep(services(), _dispatch)


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
    return send_reminders(services(), reminder_ids)
