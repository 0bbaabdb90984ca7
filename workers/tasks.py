"""Celery tasks: thin wrappers that take ids, reload state, and call workers.dispatch."""

from __future__ import annotations

import functools

from celery import shared_task

from secondopinion.settings import Settings
from workers.dispatch import send_reminder
from workers.runtime import Runtime
from workers.sweep import sweep


@functools.cache
def runtime() -> Runtime:
    """Built on first use in each worker process, never at import."""
    return Runtime.build(Settings())


def _dispatch(ids: list[int]) -> None:
    for reminder_id in ids:
        send_reminder_task.delay(reminder_id)


@shared_task(name="workers.tasks.sweep_reminders")
def sweep_reminders() -> dict[str, int]:
    return sweep(runtime(), _dispatch)


@shared_task(name="workers.tasks.send_reminder")
def send_reminder_task(reminder_id: int) -> str:
    return send_reminder(runtime(), reminder_id)
