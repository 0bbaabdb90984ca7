"""A sandbox-mode app on each database, with a test client that carries a CSRF token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from simkit import with_csrf

from secondopinion.settings import Settings
from webhooks import create_app


@pytest.fixture
def sandbox_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings.model_copy(update={"sandbox": True}))
    yield app
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def phone(sandbox_app: Flask) -> FlaskClient:
    return with_csrf(sandbox_app.test_client())


@pytest.fixture
def sessions(sandbox_app: Flask):  # type: ignore[no-untyped-def]
    return sandbox_app.extensions["secondopinion"].sessions
