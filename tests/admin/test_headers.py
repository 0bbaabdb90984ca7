"""Security headers on every dashboard page, the CSV and the simulator; no inline code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from adminkit import ANA, enrol, get

TEMPLATES = Path(__file__).resolve().parents[2] / "webhooks"


def assert_secure(response, cached: bool = False) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if not cached:
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/admin/people", "/admin/people/{id}", "/admin/program", "/admin/consent.csv"]
)
def test_pages_with_patient_data_are_never_cached_and_never_framed(admin_app, staff, path):
    person = enrol(admin_app, ANA)
    response = get(staff, path.format(id=person))
    assert response.status_code == 200
    assert_secure(response)


def test_the_login_page_has_the_headers_too(guest):
    assert_secure(get(guest, "/admin/login"))


def test_templates_carry_no_inline_script_handler_or_style() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+=|\sstyle=|<style", re.I)
    found = [
        f"{path.name}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []
