"""axe-core over every page of the dashboard and the simulator, at phone and desktop size:
no violation of serious or critical impact, and no moderate one that is not listed."""

from __future__ import annotations

import datetime as dt

from axecheck import Finding, audit, problems

from secondopinion.settings import Settings
from store.db import make_engine, make_sessions, transaction
from store.staff import add_staff
from tests.browser.test_journeys import PASSWORD, text

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _patient_with_a_question(page, base: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/simulator")
    page.select_option("#area", "213")
    page.fill("#last", "45")
    page.click("#open")
    page.wait_for_url("**/simulator/12135550145")
    for body in ("SECOND", "1", "NOT YET", "YES", "Can my daughter come with me?"):
        text(page, body)
    return page.url


def _sign_in(page, base: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    with transaction(make_sessions(engine)) as session:
        add_staff(session, "nadia", PASSWORD, dt.datetime.now(dt.UTC))
    engine.dispose()
    page.goto(f"{base}/admin/login")
    page.fill("#username", "nadia")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/admin/people")


def test_every_page_passes_axe_at_phone_and_desktop_size(
    browser_page, live_server: str, live_settings: Settings
):
    page = browser_page
    phone_url = _patient_with_a_question(page, live_server)
    found: list[Finding] = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server}/simulator")
        found += audit(page, f"simulator picker ({size})")
        page.goto(phone_url)
        found += audit(page, f"simulated phone ({size})")
        page.click("#call")
        page.wait_for_url(f"{phone_url}/call")
        page.locator("#said").wait_for()
        found += audit(page, f"call ({size})")
    _sign_in(page, live_server, live_settings)
    page.click("text=Sign out (nadia)")
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server}/admin/login")
        found += audit(page, f"sign-in ({size})")
    _sign_in(page, live_server, live_settings)
    person = page.locator("table.people a").first.get_attribute("href")
    page.goto(f"{live_server}/admin/inbox")
    case = page.locator("table.inbox a").first.get_attribute("href")
    pages = {
        "people": "/admin/people",
        "person": person,
        "inbox": "/admin/inbox",
        "case": case,
        "program": "/admin/program",
        "content": "/admin/content",
        "worklist": "/admin/people?stuck=this-week&sort=visit",
        "account": "/admin/account",
        "sign someone up": "/admin/people/new",
    }
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            page.goto(f"{live_server}{path}")
            found += audit(page, f"{name} ({size})")
    assert problems(found) == []
