"""Settings checked when the web process starts: a wrong PUBLIC_BASE_URL stops it, saying why."""

from __future__ import annotations

import pytest

from secondopinion.settings import Settings
from webhooks import create_app


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "is required"),
        ("so.example.org", "https://"),
        ("http://so.example.org", "https://"),
        ("https://so.example.org/twilio", "no path"),
        ("https://so.example.org?x=1", "no path"),
    ],
)
def test_a_public_base_url_that_twilio_cannot_have_signed_stops_the_web_process(
    settings: Settings, url: str, why: str
) -> None:
    with pytest.raises(SystemExit, match=why):
        create_app(settings.model_copy(update={"public_base_url": url}))


@pytest.mark.parametrize("url", ["https://so.example.org", "https://so.example.org:8443/"])
def test_an_https_host_starts(settings: Settings, url: str) -> None:
    app = create_app(settings.model_copy(update={"public_base_url": url}))
    app.extensions["secondopinion"].engine.dispose()


def test_dot_env_files_are_never_committed() -> None:
    from pathlib import Path

    ignored = (Path(__file__).parent.parent / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
