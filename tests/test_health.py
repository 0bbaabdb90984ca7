"""GET /healthz answers 200 only when the database and the broker both answer."""

from __future__ import annotations

from secondopinion.settings import Settings
from tests.services import REDIS_URL, require_redis
from webhooks import create_app


def health(settings: Settings) -> tuple[int, dict[str, str]]:
    app = create_app(settings)
    try:
        response = app.test_client().get("/healthz")
        return response.status_code, response.get_json()
    finally:
        app.extensions["secondopinion"].engine.dispose()


def test_healthy_with_the_embedded_broker(settings: Settings) -> None:
    assert health(settings) == (200, {"database": "ok", "broker": "ok"})


def test_healthy_with_redis(settings: Settings) -> None:
    require_redis()
    assert health(settings.model_copy(update={"redis_url": REDIS_URL})) == (
        200,
        {"database": "ok", "broker": "ok"},
    )


def test_a_broker_that_does_not_answer_is_a_503(settings: Settings) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    assert health(down) == (503, {"database": "ok", "broker": "down"})


def test_a_database_that_does_not_answer_is_a_503(settings: Settings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    assert health(down) == (503, {"database": "down", "broker": "ok"})
