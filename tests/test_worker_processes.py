"""Exactly once, with real worker and beat processes on PostgreSQL and Redis.

Each test seeds due reminders, runs `celery -A workers worker` / `beat` as child processes
against the local fake Twilio, breaks something (SIGKILL, a second beat, STOP, the broker),
and then counts what the fake received: every reminder once, never twice, never after STOP.
"""

from __future__ import annotations

import datetime as dt
import signal
from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine

from secondopinion.settings import Settings
from tests.builders import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PROGRAM_WORDS,
    PUBLIC_BASE_URL,
    SENDER_NUMBER,
    reply,
)
from tests.processes import (
    beat,
    count_status,
    daytime_zone,
    free_port,
    redis_server,
    seed_due_reminders,
    wait_until,
    worker,
)
from twilio_double import FakeTwilio
from webhooks import create_app

pytestmark = pytest.mark.postgres
AREA_CODES = (212, 646, 718, 917, 347, 929, 332)


def phones(n: int) -> list[str]:
    """Fictional numbers only: 555-0100 to 555-0199 in as many area codes as needed."""
    return [f"+1{AREA_CODES[i // 100]}55501{i % 100:02d}" for i in range(n)]


def service_env(db_url: str, broker: str, fake: FakeTwilio) -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "REDIS_URL": broker,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SENDER_NUMBER,
        **PROGRAM_WORDS,
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "STALE_AFTER_SECONDS": "4",
        "SEND_RATE_PER_SECOND": "1000",
        "TWILIO_TIMEOUT_SECONDS": "2",
    }


def received(fake: FakeTwilio) -> Counter[str]:
    return Counter(m["to"] for m in fake.messages)


def seed(pg: Engine, numbers: list[str]) -> None:
    now = dt.datetime.now(dt.UTC)
    seed_due_reminders(pg, numbers, now - dt.timedelta(seconds=5), daytime_zone(now))


def test_every_reminder_arrives_once_when_the_worker_is_killed_mid_batch(
    pg: Engine, postgresql_url: str, broker_url: str, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    numbers = phones(240)
    seed(pg, numbers)
    fake_twilio.delay(0.02)  # a batch that takes a few seconds, so the kill lands inside it
    env = service_env(postgresql_url, broker_url, fake_twilio)
    scheduler = beat(env, tmp_path / "beat.log")
    first = worker(env, tmp_path / "worker-1.log")
    try:
        assert wait_until(lambda: len(fake_twilio.messages) >= 60, timeout=60)
        first.kill()
        killed_at = len(fake_twilio.messages)
        assert killed_at < len(numbers), "the batch finished before the kill"
        second = worker(env, tmp_path / "worker-2.log")
        try:
            assert wait_until(lambda: count_status(pg, "sent") == len(numbers), timeout=120)
        finally:
            second.stop()
    finally:
        first.stop()
        scheduler.stop()
    assert received(fake_twilio) == Counter(numbers)


def test_a_worker_stopped_by_sigterm_mid_batch_leaves_no_reminder_in_an_unknown_state(
    pg: Engine, postgresql_url: str, broker_url: str, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    """A deploy: SIGTERM, then SIGKILL after a grace period shorter than a whole chunk's
    sends (20 texts at 0.3 s). The worker must finish the group it is sending and stop."""
    numbers = phones(240)
    seed(pg, numbers)
    fake_twilio.delay(0.3)
    env = service_env(postgresql_url, broker_url, fake_twilio)
    scheduler = beat(env, tmp_path / "beat.log")
    first = worker(env, tmp_path / "worker-1.log")
    try:
        assert wait_until(lambda: len(fake_twilio.messages) >= 20, timeout=60)
        first.process.send_signal(signal.SIGTERM)
        stopped_in_grace = wait_until(lambda: first.process.poll() is not None, timeout=4.0)
        first.kill()  # what the platform does when the grace period is over
        assert stopped_in_grace, "the worker was still sending when the grace period ended"
        assert count_status(pg, "sending") == 0  # nothing whose outcome is unknown
        sent_by_first = len(fake_twilio.messages)
        assert count_status(pg, "sent") == sent_by_first < len(numbers)
        fake_twilio.delay(0)
        second = worker(env, tmp_path / "worker-2.log")
        try:
            assert wait_until(lambda: count_status(pg, "sent") == len(numbers), timeout=120)
        finally:
            second.stop()
    finally:
        first.stop()
        scheduler.stop()
    assert received(fake_twilio) == Counter(numbers)


def test_two_beats_at_once_still_send_each_reminder_once(
    pg: Engine, postgresql_url: str, broker_url: str, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    numbers = phones(200)
    seed(pg, numbers)
    env = service_env(postgresql_url, broker_url, fake_twilio)
    services = [
        beat(env, tmp_path / "beat-1.log"),
        beat(env, tmp_path / "beat-2.log"),
        worker(env, tmp_path / "worker-1.log", concurrency=4),
        worker(env, tmp_path / "worker-2.log", concurrency=4),
    ]
    try:
        assert wait_until(lambda: count_status(pg, "sent") == len(numbers), timeout=120)
    finally:
        for service in services:
            service.stop()
    assert received(fake_twilio) == Counter(numbers)


def test_nothing_reaches_a_number_after_its_stop_commits(
    pg: Engine, postgresql_url: str, broker_url: str, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    numbers = phones(240)
    stoppers = numbers[120::12]  # ten people spread through the second half of the batch
    seed(pg, numbers)
    fake_twilio.delay(0.02)
    env = service_env(postgresql_url, broker_url, fake_twilio)
    app = create_app(Settings(**{k.lower(): v for k, v in env.items()}))
    client = app.test_client()
    services = [
        beat(env, tmp_path / "beat.log"),
        worker(env, tmp_path / "w.log"),
    ]
    stopped_at: dict[str, dt.datetime] = {}
    try:
        assert wait_until(lambda: len(fake_twilio.messages) >= 40, timeout=60)
        for phone in stoppers:
            reply(client, phone, "STOP")
            stopped_at[phone] = dt.datetime.now(dt.UTC)  # the STOP has committed
        assert wait_until(lambda: count_status(pg, "pending") == 0, 120)
        assert wait_until(lambda: count_status(pg, "sending") == 0, timeout=30)
    finally:
        for service in services:
            service.stop()
        app.extensions["secondopinion"].engine.dispose()
    for message in fake_twilio.messages:
        if message["to"] in stopped_at:
            assert message["received_at"] <= stopped_at[message["to"]], message["to"]
    assert max(received(fake_twilio).values()) == 1
    assert count_status(pg, "cancelled") >= 1


def test_with_the_broker_down_texts_are_answered_and_reminders_catch_up_once(
    pg: Engine, postgresql_url: str, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    """The broker dies while the worker holds unacknowledged tasks (a batch being sent):
    the worker must live through it (it used to exit: workers/broker.py says why)."""
    port = free_port()
    private_broker = f"redis://127.0.0.1:{port}/0"
    broker = redis_server(port, tmp_path / "redis.log")
    assert wait_until(lambda: _answers(private_broker), timeout=10)
    env = service_env(postgresql_url, private_broker, fake_twilio)
    fake_twilio.delay(0.1)  # every chunk takes seconds: tasks are in hand when Redis dies
    sender = worker(env, tmp_path / "w.log")
    services = [beat(env, tmp_path / "beat.log"), sender]
    app = create_app(Settings(**{k.lower(): v for k, v in env.items()}))
    try:
        early, late = phones(100), phones(160)[100:]
        seed(pg, early)
        assert wait_until(lambda: len(fake_twilio.messages) >= 10, timeout=60)
        broker.kill()  # the broker goes away mid-batch ...
        assert len(fake_twilio.messages) < len(early), "the batch finished before the kill"
        seed(pg, late)  # ... while more reminders fall due
        text = reply(app.test_client(), "+13325550199", "SECOND")
        assert "Second Opinion Prep" in text  # texts are still answered without the broker
        assert wait_until(lambda: "Connection to broker lost" in sender.log.read_text(), 30)
        assert sender.process.poll() is None, "the worker exited when the broker went away"

        broker = redis_server(port, tmp_path / "redis-2.log")  # back, empty: queued tasks lost
        everyone = len(early) + len(late)
        assert wait_until(lambda: count_status(pg, "sent") == everyone, timeout=120)
        assert sender.process.poll() is None
    finally:
        for service in services:
            service.stop()
        broker.stop()
        app.extensions["secondopinion"].engine.dispose()
    assert received(fake_twilio) == Counter(early + late)
    assert "Unrecoverable error" not in sender.log.read_text()


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False
