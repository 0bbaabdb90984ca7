"""Celery: `celery -A workers worker` sends reminders, `celery -A workers beat` sweeps."""

from secondopinion.settings import Settings
from workers.factory import make_celery

celery_app = make_celery(Settings())

__all__ = ["celery_app"]
