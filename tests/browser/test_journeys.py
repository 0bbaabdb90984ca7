"""In a real browser: a Spanish journey in the simulator, then staff find the person and pause."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from secondopinion.settings import Settings
from store.db import make_engine, make_sessions, transaction
from store.models import ConversationRow
from store.people import is_paused
from store.staff import add_staff

PASSWORD = "navigators rock 2026"


def text(page, body: str) -> None:  # type: ignore[no-untyped-def]
    """Type and send a text, then wait for the answer's bubble."""
    bubbles = page.locator("#bubbles .bubble")
    before = bubbles.count()
    page.fill("#body", body)
    page.click("#send")
    bubbles.nth(before + 1).wait_for()


def visit_in_two_weeks() -> str:
    today = dt.datetime.now(ZoneInfo("America/Puerto_Rico")).date()
    return format_date(today + dt.timedelta(days=14), "d 'de' MMMM", locale="es")


def newcomer_enrols_in_english(page, base: str) -> None:  # type: ignore[no-untyped-def]
    """Only what the pages say: open a phone, text SECOND, answer what the program asks."""
    page.goto(base)  # the bare address leads to the simulator
    page.fill("#last", "24")
    page.click("#open")
    assert "SECOND" in page.inner_text(".hint")
    text(page, "SECOND")
    assert "Reply 1 to go on in English" in page.inner_text("#bubbles")
    text(page, "1")
    assert "NOT YET" in page.inner_text("#bubbles")
    text(page, "NOT YET")
    assert "YES, NO or NOT SURE" in page.inner_text("#bubbles")
    text(page, "NO")
    assert "Reply RECORDS" in page.inner_text("#bubbles")


def test_a_spanish_journey_in_the_simulator_then_staff_pause_the_person(
    browser_page, live_server: str, live_settings: Settings, shoot
):
    page = browser_page
    newcomer_enrols_in_english(page, live_server)
    page.goto(f"{live_server}/simulator")
    page.select_option("#area", "787")
    page.fill("#last", "23")
    page.click("#open")
    page.wait_for_url("**/simulator/17875550123")

    text(page, "SEGUNDA")
    assert "Le damos la bienvenida" in page.inner_text("#bubbles")
    text(page, "2")
    assert "¿Cuándo es su cita" in page.inner_text("#bubbles")
    text(page, visit_in_two_weeks())
    assert "¿Su cita es el" in page.inner_text("#bubbles")
    text(page, "SÍ")
    assert "referido" in page.inner_text("#bubbles")
    text(page, "NO")

    page.click("#jump-next")
    reminder = page.locator(".bubble.reminder").first
    reminder.wait_for()
    assert "expediente" in reminder.inner_text()
    assert "Entregado" in reminder.locator(".status").inner_text()  # in words, in Spanish
    text(page, "LISTO 1")
    assert page.locator("#bubbles .bubble .text").last.inner_text().startswith("Anotado")
    shoot(page, "simulator")

    page.fill("#amount", "16")
    page.select_option("#unit", "days")
    page.click("#jump-ahead")
    page.locator(".bubble.reminder", has_text="haya ido bien").wait_for()
    assert page.locator(".bubble.reminder .status", has_text="Entregado").count() >= 4

    engine = make_engine(live_settings.database_url)
    sessions = make_sessions(engine)
    with transaction(sessions) as session:
        add_staff(session, "nadia", PASSWORD, dt.datetime.now(dt.UTC))

    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{live_server}/admin")
    page.fill("#username", "nadia")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.set_viewport_size({"width": 1100, "height": 300})
    shoot(page, "dashboard-people")
    page.fill("#last4", "0123")
    page.click("#search")
    row = page.locator("table.people tbody tr", has_text="+1•••0123")
    assert "es" in row.inner_text()
    assert page.locator("table.people tbody tr").count() == 1  # the English newcomer is hidden
    row.locator("a").click()
    page.click("#pause")
    page.locator("#paused").wait_for()
    shoot(page, "dashboard-person")

    with sessions() as session:
        person = session.scalar(
            select(ConversationRow.id).where(ConversationRow.phone == "+17875550123")
        )
        assert person is not None and is_paused(session, person)
    engine.dispose()
