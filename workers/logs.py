"""The worker's and beat's log handlers get the same number-masking filter as the web."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import after_setup_logger, after_setup_task_logger

from secondopinion import logs


@after_setup_logger.connect
@after_setup_task_logger.connect
def _protect(logger: logging.Logger | None = None, **_: Any) -> None:
    logs.protect([logger] if logger is not None else [])
