"""/healthz says the process answers; /readyz says the database does. Neither needs the broker."""

from __future__ import annotations

import time

from secondopinion.settings import Settings
from webhooks import create_app

NO_BROKER = {"redis_url": "redis://127.0.0.1:1/0"}
NO_DATABASE = {"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}


def probe(settings: Settings, path: str, **changes: object) -> tuple[int, dict[str, str], float]:
    app = create_app(settings.model_copy(update=changes))
    try:
        started = time.monotonic()
        response = app.test_client().get(path)
        return response.status_code, response.get_json(), time.monotonic() - started
    finally:
        app.extensions["secondopinion"].engine.dispose()


def test_alive_while_the_database_and_the_broker_are_both_down(settings: Settings) -> None:
    status, body, took = probe(settings, "/healthz", **NO_BROKER, **NO_DATABASE)
    assert (status, body) == (200, {"process": "ok"})
    assert took < 0.5


def test_ready_with_the_broker_down(settings: Settings) -> None:
    status, body, took = probe(settings, "/readyz", **NO_BROKER)
    assert (status, body) == (200, {"database": "ok"})
    assert took < 0.5  # no connection attempt to the broker at all


def test_not_ready_when_the_database_does_not_answer(settings: Settings) -> None:
    status, body, took = probe(settings, "/readyz", **NO_DATABASE)
    assert (status, body) == (503, {"database": "down"})
    assert took < settings.database_connect_timeout_seconds + 1
