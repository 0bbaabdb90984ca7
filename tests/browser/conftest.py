"""Headless Chromium (Debian's) driven by Playwright, against the service on a local port.

Where Chromium or Playwright is missing these tests skip and say how to get them; with CI
set they fail instead. Screenshots go to docs/screenshots when SAVE_SCREENSHOTS is set.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from secondopinion.settings import Settings
from store.migrate import upgrade
from webhooks import create_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = shutil.which(CHROMIUM) or shutil.which("chromium")
    if not found:
        _missing("Chromium is not installed: apt-get install chromium (or set CHROMIUM)")
    return str(found)


@pytest.fixture
def browser_page(chromium_path: str, tmp_path: Path) -> Iterator[Any]:
    """A phone-sized page in a fresh profile; closed with its browser after the test."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium_path,
            headless=True,
            args=FLAGS,
            viewport={"width": 420, "height": 860},
            locale="es-US",
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()


@pytest.fixture
def live_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    return Settings(
        database_url=url,
        sandbox=True,
        secret_key="browser-test-secret",
        embedded_broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        program_name="Second Opinion Prep",
    )


@pytest.fixture
def live_server(live_settings: Settings) -> Iterator[str]:
    """The whole web app on a free local port, as `secondopinion serve` runs it."""
    app = create_app(live_settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["secondopinion"].engine.dispose()


@pytest.fixture
def shoot(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Save a screenshot: into docs/screenshots when SAVE_SCREENSHOTS is set, else tmp_path."""
    folder = SCREENSHOTS if os.environ.get("SAVE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
