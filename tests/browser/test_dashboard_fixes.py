"""In a real browser: what a coordinator met on the dashboard, walked again. Times in the
patient's zone (and the reader's), words instead of code names, the people list as cards
on a phone, sign-in that says where one stands, acting for a patient, and a program page
whose cards and chart agree and leave the simulator's pretend people out."""

from __future__ import annotations

import datetime as dt

from secondopinion.settings import Settings
from store.db import make_engine, make_sessions, transaction
from store.staff import add_staff
from tests.browser.test_journeys import PASSWORD, text

PHONE = {"width": 390, "height": 844}
OFF_SCREEN = """width => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > width + 1 && e.tagName !== "TH")
  .map(e => e.tagName + "#" + e.id).slice(0, 8).join(" | ")"""
DESKTOP = {"width": 1280, "height": 800}


def test_a_coordinators_day_on_the_dashboard(
    browser_page, live_server: str, live_settings: Settings, shoot
):
    page = browser_page
    page.goto(f"{live_server}/simulator")
    page.select_option("#area", "213")  # Los Angeles
    page.fill("#last", "71")
    page.click("#open")
    for body in ("SECOND", "1", "NOT YET", "YES"):
        text(page, body)

    engine = make_engine(live_settings.database_url)
    with transaction(make_sessions(engine)) as session:
        add_staff(session, "nadia", PASSWORD, dt.datetime.now(dt.UTC))
    engine.dispose()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/admin/login")
    page.fill("#username", "nadia")
    page.fill("#password", "not the password")
    page.click("#sign-in")
    assert page.input_value("#username") == "nadia"  # the name stays typed
    assert "4 more tries before a short wait" in page.inner_text("#error")
    assert "secondopinion staff" not in page.content()
    shoot(page, "dashboard-sign-in")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/admin/people")

    # On a phone every column of the list is there, as a card, with nothing off screen.
    card = page.locator("table.people tbody tr", has_text="+1•••0171")
    for column in ("Visit", "Records", "Referral", "Next reminder", "Last activity"):
        box = card.locator(f'td[data-label="{column}"]').bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    wide = page.evaluate(OFF_SCREEN, PHONE["width"])
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], wide
    assert "Taking part" in card.inner_text() and "Not sure yet" not in card.inner_text()
    shoot(page, "dashboard-people-phone")

    page.set_viewport_size(DESKTOP)
    card.locator("a").first.click()
    facts = page.inner_text(".facts")
    assert "Pacific (Los Angeles, Seattle)" in facts and "All set" in facts
    next_reminder = page.inner_text("#next")
    assert next_reminder.split(" (")[0].endswith(("PST", "PDT"))  # the patient's own time
    assert "your time" in next_reminder  # and the reader's, whose zone differs
    stamps = page.locator(".timeline time").all_inner_texts()
    assert stamps and all(s.endswith(("PST", "PDT")) for s in stamps)

    visit = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=5)
    page.fill("#visit-date", visit.isoformat())
    page.locator("#save-visit").focus()
    page.keyboard.press("Enter")  # the form works from the keyboard alone
    page.locator(".flash", has_text="Visit date saved").wait_for()
    assert visit.strftime("%b %d, %Y") in page.inner_text("#visit")
    page.check("#record-1")
    page.click("#save-records")
    page.locator(".flash", has_text="Records saved").wait_for()
    assert "1 of 4" in page.inner_text("#records")
    assert page.locator("#pause").count() == 1
    shoot(page, "dashboard-acting-for")

    page.goto(f"{live_server}/admin/people?stuck=this-week&sort=visit")
    assert page.locator("table.people tbody tr", has_text="+1•••0171").count() == 1
    shoot(page, "dashboard-worklist")

    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/admin/people")
    page.locator("table.people tbody tr", has_text="+1•••0171").locator("a").first.click()
    page.click("#opt-out")
    page.locator(".flash", has_text="Opted out").wait_for()
    assert page.locator("#pause").count() == 0 and page.locator("#opt-out").count() == 0
    assert page.inner_text("#status") == "Stopped texts"

    page.goto(f"{live_server}/admin/program")  # everyone here is the simulator's: nobody
    assert page.inner_text("#card-enrolled") == "0" and "signed up (0)" in page.inner_text(
        "figcaption"
    )
    assert page.locator(".chart svg text").count() >= 6  # numbers and dates on the axes
    shoot(page, "dashboard-program")
    ledger = page.request.get(f"{live_server}/admin/consent.csv").text()
    assert "+12135550171" not in ledger
