"""GET /metrics: closed without its bearer token, labelled by route, flat under random paths."""

from __future__ import annotations

import tracemalloc
import uuid

from flask import Flask
from flask.testing import FlaskClient

from secondopinion.settings import Settings
from tests.builders import sms
from webhooks import create_app

TOKEN = "metrics-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def metrics_app(settings: Settings) -> Flask:
    return create_app(settings.model_copy(update={"metrics_token": TOKEN}))


def series(client: FlaskClient) -> int:
    body = client.get("/metrics", headers=BEARER).get_data(as_text=True)
    return sum(1 for line in body.splitlines() if line.startswith("secondopinion_webhook"))


def test_metrics_need_the_bearer_token(settings: Settings) -> None:
    client = metrics_app(settings).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers=BEARER).status_code == 200


def test_without_a_token_metrics_are_closed(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_labels_are_route_templates_and_memory_stays_flat_under_random_paths(
    settings: Settings,
) -> None:
    client = metrics_app(settings).test_client()
    sms(client, "+12125550161", "HELP")
    before = series(client)
    tracemalloc.start()
    try:
        for _ in range(200):  # warm up: first requests allocate caches once
            client.post(f"/twilio/{uuid.uuid4().hex}", data={"x": "1"})
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(2000):
            client.post(f"/twilio/{uuid.uuid4().hex}", data={"x": "1"})
            client.get(f"/twilio/voice/{uuid.uuid4().hex}")
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert series(client) == before  # 4,000 unknown paths added no series
    assert end - start < 1_000_000, f"{end - start} bytes kept after 4,000 random paths"
    body = client.get("/metrics", headers=BEARER).get_data(as_text=True)
    assert 'path="/twilio/sms"' in body
