"""Real Celery worker and beat processes, a private Redis, and due reminders to feed them."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import Engine, func, select

from store.models import ConsentEventRow, ConversationRow, ReminderRow

CELERY = [sys.executable, "-m", "celery", "-A", "workers"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def daytime_zone(now: dt.datetime) -> str:
    """A fixed-offset zone where it is early afternoon now, so quiet hours never block a test."""
    shift = (13 - now.astimezone(dt.UTC).hour + 12) % 24 - 12  # hours east of UTC
    return "Etc/GMT" if shift == 0 else f"Etc/GMT{-shift:+d}"


class Service:
    """One child process with its log in a file; killed for sure when the test ends."""

    def __init__(
        self, args: list[str], env: Mapping[str, str], log: Path, cwd: Path | None = None
    ) -> None:
        self.log = log
        self._file = log.open("ab")
        self.process = subprocess.Popen(
            args, env={**os.environ, **env}, stdout=self._file, stderr=subprocess.STDOUT, cwd=cwd
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgements, exactly what a crash looks like."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._file.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._file.close()


def worker(env: Mapping[str, str], log: Path, concurrency: int = 8) -> Service:
    args = [*CELERY, "worker", "--pool", "threads", "--concurrency", str(concurrency)]
    return Service([*args, "--loglevel", "INFO", "--without-gossip", "--without-mingle"], env, log)


def beat(env: Mapping[str, str], log: Path) -> Service:
    """Beat as the Procfile runs it: its schedule is kept in memory, no file."""
    return Service([*CELERY, "beat", "--loglevel", "INFO"], env, log)


def redis_server(port: int, log: Path) -> Service:
    args = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    return Service(args, {}, log)


def seed_due_reminders(engine: Engine, phones: list[str], due: dt.datetime, zone: str) -> None:
    """Enrolled, consenting people, each with one reminder due at `due`."""
    with engine.begin() as connection:
        for phone in phones:
            conv_id = connection.execute(
                ConversationRow.__table__.insert().values(
                    phone=phone,
                    language="en",
                    step="ready",
                    status="active",
                    date_deferred=False,
                    referral="not_needed",
                    records_done="",
                    phrase_index=0,
                    timezone=zone,
                    created_at=due,
                    updated_at=due,
                    enrolled_at=due,
                )
            ).inserted_primary_key[0]
            connection.execute(
                ConsentEventRow.__table__.insert().values(
                    conversation_id=conv_id,
                    phone=phone,
                    kind="opt_in",
                    channel="sms",
                    words="SECOND",
                    shown_text="(seeded)",
                    at=due,
                )
            )
            connection.execute(
                ReminderRow.__table__.insert().values(
                    conversation_id=conv_id,
                    kind="phrase",
                    key=f"phrase:seeded:{phone}",
                    due_at=due,
                    status="pending",
                    attempts=0,
                    created_at=due,
                )
            )


def count_status(engine: Engine, status: str) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(ReminderRow).where(ReminderRow.status == status)
        return int(connection.execute(query).scalar_one())


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
