"""The service's log format, set once per process by whoever starts it (web, CLI)."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(level: int = logging.INFO) -> None:
    """Log to stderr at `level` unless the process (gunicorn, pytest) set up logging already."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format=FORMAT)
