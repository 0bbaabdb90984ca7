"""In a real browser: a patient's question in Spanish reaches the inbox, a staff member
answers with a saved answer, and the simulated phone shows it arrive."""

from __future__ import annotations

import datetime as dt

from secondopinion.settings import Settings
from store.db import make_engine, make_sessions, transaction
from store.staff import add_staff
from tests.browser.test_journeys import PASSWORD, text

QUESTION = "¿Puede venir mi hija conmigo a la cita?"
ANSWER = "Sí, en la mayoría de las clínicas puede ir con un familiar"


def test_a_spanish_question_is_answered_from_the_inbox_and_arrives(
    browser_page, live_server: str, live_settings: Settings, shoot
):
    page = browser_page
    page.goto(f"{live_server}/simulator")
    page.select_option("#area", "787")
    page.fill("#last", "31")
    page.click("#open")
    page.wait_for_url("**/simulator/17875550131")
    for body in ("SEGUNDA", "2", "TODAVÍA NO", "NO"):
        text(page, body)
    text(page, QUESTION)
    replies = page.locator("#bubbles .bubble.theirs .text")
    assert "una persona de nuestro equipo" in replies.nth(replies.count() - 2).inner_text()
    assert replies.last.inner_text().startswith("Responda EXPEDIENTE")  # the menu follows

    engine = make_engine(live_settings.database_url)
    with transaction(make_sessions(engine)) as session:
        add_staff(session, "nadia", PASSWORD, dt.datetime.now(dt.UTC))
    engine.dispose()
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{live_server}/admin")
    page.fill("#username", "nadia")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.click("#nav-inbox")
    row = page.locator("table.inbox tbody tr", has_text=QUESTION)
    assert "+1•••0131" in row.inner_text() and "es" in row.inner_text()
    shoot(page, "inbox")

    row.locator("a").first.click()
    page.check("#saved-answer_companion")
    choice = page.locator(".choice", has=page.locator("#saved-answer_companion"))
    assert ANSWER in choice.inner_text()  # shown to staff in the patient's language
    page.click("#send-text")
    page.locator(".flash", has_text="simulator sends it").wait_for()
    assert "nadia" in page.inner_text("#assigned")
    shoot(page, "inbox-case")

    page.set_viewport_size({"width": 420, "height": 860})
    page.goto(f"{live_server}/simulator/17875550131")
    arrived = page.locator(".bubble.staff", has_text=ANSWER)
    arrived.wait_for(timeout=20_000)  # the page asks for what is due every few seconds
    assert "de una persona" in arrived.inner_text()
    shoot(page, "simulator-answer")
