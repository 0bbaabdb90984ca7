"""The service's log format, and a last guard: no whole phone number reaches any log line.

Each process (web, gunicorn, worker, beat, the CLI) puts `Redact` on its log handlers.
The code never logs a message body or a whole number in the first place (numbers go
through `flows.phones.mask`, statements hide their values); this filter catches what
a library says on its own, such as a URL with `To=%2B1…` in a connection error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# 10 to 15 digits, bare, after "+" or URL-encoded "%2B", and not part of a longer word,
# decimal or sid: "+12125550101", "2125550101", "To=%2B12125550101" -> "•••0101".
_NUMBER = re.compile(r"(?:\+|%2[Bb]|(?<![\w.%+]))\d{6,11}(\d{4})(?![\w.])")


def redact(text: str) -> str:
    return _NUMBER.sub(lambda m: f"•••{m.group(1)}", text)


class Redact(logging.Filter):
    """Rewrites a record's message (and traceback) with every phone number masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        masked = redact(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def protect(loggers: Iterable[logging.Logger] = ()) -> None:
    """Put `Redact` on every handler of the root logger and of `loggers` (once each)."""
    for logger in (logging.getLogger(), *loggers):
        for handler in logger.handlers:
            if not any(isinstance(f, Redact) for f in handler.filters):
                handler.addFilter(Redact())


def configure(level: int = logging.INFO) -> None:
    """Log to stderr at `level` unless the process (gunicorn, pytest) set up logging already."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format=FORMAT)
    protect()
