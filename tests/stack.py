"""The whole service as production runs it: gunicorn (with gunicorn.conf.py), a Celery
worker and beat, all as child processes on PostgreSQL (through a proxy a test can cut)
and Redis, texting through the local fake Twilio."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from store.models import ConversationRow, ReminderRow
from tests.builders import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PROGRAM_NUMBER,
    PROGRAM_WORDS,
    PUBLIC_BASE_URL,
    SENDER_NUMBER,
)
from tests.processes import Service, beat, daytime_zone, free_port, wait_until, worker
from twilio_double import Answer, FakeTwilio, Phone, http_transport

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, broker_url: str, fake: FakeTwilio) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SENDER_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "CATCH_UP_INTERVAL_SECONDS": "2",
        "STALE_AFTER_SECONDS": "4",
        "SEND_RATE_PER_SECOND": "1000",
        "TWILIO_TIMEOUT_SECONDS": "2",
        "DATABASE_POOL_SIZE": "2",
        "PYTHONPATH": str(ROOT),
        **PROGRAM_WORDS,
    }


class Stack:
    def __init__(self, env: dict[str, str], folder: Path, fake: FakeTwilio) -> None:
        self.fake, self.port = fake, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        web = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
        web += ["--workers", "2", "--bind", f"127.0.0.1:{self.port}", "webhooks:create_app()"]
        self.web = Service(web, env, folder / "web.log", cwd=ROOT)
        self.worker = worker(env, folder / "worker.log")
        self.beat = beat(env, folder / "beat.log")
        self.services = [self.web, self.worker, self.beat]

    def stop(self) -> None:
        for service in self.services:
            service.stop()

    def get(self, path: str) -> int:
        return requests.get(self.base + path, timeout=10).status_code

    def phone(self, number: str) -> Phone:
        return Phone(
            http_transport(self.base, timeout=20),
            number,
            auth_token=AUTH_TOKEN,
            signed_base_url=PUBLIC_BASE_URL,
            program_number=PROGRAM_NUMBER,
        )

    def text(self, number: str, body: str) -> tuple[str, Answer]:
        """As a phone does: Twilio logs the text, then posts it to the webhook."""
        sid = self.fake.receive(number, PROGRAM_NUMBER, body)
        return sid, self.phone(number).post_text(body, sid)

    def logs(self) -> dict[str, str]:
        return {service.log.stem: service.log.read_text() for service in self.services}


@contextmanager
def running(env: dict[str, str], folder: Path, fake: FakeTwilio) -> Iterator[Stack]:
    stack = Stack(env, folder, fake)
    try:
        assert wait_until(lambda: _ready(stack), timeout=30), stack.logs()["web"][-2000:]
        yield stack
    finally:
        stack.stop()


def _ready(stack: Stack) -> bool:
    try:
        return stack.get("/readyz") == 200
    except requests.RequestException:
        return False


def reminder_due(engine: Engine, person: int, kind: str, due: dt.datetime) -> None:
    """A reminder falling due at `due` (the plan's own are hours away)."""
    row = {"conversation_id": person, "kind": kind, "key": f"{kind}:test:{person}"}
    values = {**row, "due_at": due, "status": "pending", "attempts": 0, "created_at": due}
    with engine.begin() as connection:
        connection.execute(insert(ReminderRow).values(**values))


def person(pg: Engine, number: str) -> ConversationRow:
    with Session(pg) as session:
        return session.scalars(select(ConversationRow).where(ConversationRow.phone == number)).one()


def in_the_afternoon(pg: Engine, number: str) -> None:
    """Where it is early afternoon now, so quiet hours never hold a reminder back."""
    zone = daytime_zone(dt.datetime.now(dt.UTC))
    with pg.begin() as connection:
        moved = update(ConversationRow).where(ConversationRow.phone == number)
        connection.execute(moved.values(timezone=zone))
