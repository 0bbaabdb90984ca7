"""A database that is down or slow: every webhook answers 503 with Retry-After within
seconds, never a 500, never a hang, and a request cut short has written nothing."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from secondopinion.settings import Settings
from store.models import ConsentEventRow, ConversationRow, MessageRow
from tests.builders import PROGRAM_NUMBER, phone, post_signed, sms_form
from tests.tcp_proxy import TcpProxy
from twilio_double import new_sid, status_form, voice_form
from webhooks import create_app

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
PATIENT = "+12125550161"
WEBHOOKS = {
    "/twilio/sms": sms_form(PATIENT, "STOP"),
    "/twilio/status": status_form(new_sid("SM"), "delivered"),
    "/twilio/voice": voice_form(PATIENT, PROGRAM_NUMBER),
}


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """A one-second statement timeout, so waiting for it stays short."""
    return settings.model_copy(update={"database_statement_timeout_seconds": 1.0})


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(database_url)
    with TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432)) as running:
        yield running


def app_for(settings: Settings, **changes: object) -> Flask:
    return create_app(settings.model_copy(update=changes))


def timed_post(app: Flask, path: str, form: dict[str, str]) -> tuple[int, str, float]:
    started = time.monotonic()
    answer = post_signed(app.test_client(), path, form)
    return answer.status_code, answer.headers.get("Retry-After", ""), time.monotonic() - started


def count(settings: Settings, model: type, **where: object) -> int:
    engine = create_engine(settings.database_url, poolclass=NullPool)
    with engine.connect() as connection:
        query = select(func.count()).select_from(model).filter_by(**where)
        found = int(connection.execute(query).scalar_one())
    engine.dispose()
    return found


@ON_POSTGRESQL
def test_with_postgresql_down_every_webhook_answers_503_at_once_then_works_again(
    quick: Settings, proxy: TcpProxy
) -> None:
    app = app_for(quick, database_url=proxy.url_for(quick.database_url))
    proxy.down()
    for path, form in WEBHOOKS.items():
        status, retry_after, took = timed_post(app, path, form)
        assert (status, retry_after) == (503, "5"), path
        assert took < 2.0, (path, took)
    proxy.up()
    assert phone(app.test_client(), PATIENT).text("SECOND")  # the same app, back at work


@ON_POSTGRESQL
def test_the_fallback_for_calls_answers_in_both_languages_without_the_database(
    quick: Settings, proxy: TcpProxy
) -> None:
    app = app_for(quick, database_url=proxy.url_for(quick.database_url))
    proxy.down()
    caller = voice_form(PATIENT, PROGRAM_NUMBER)
    assert post_signed(app.test_client(), "/twilio/voice", caller).status_code == 503
    fallback = post_signed(app.test_client(), "/twilio/voice/fallback", caller)
    spoken = fallback.get_data(as_text=True)
    assert fallback.status_code == 200 and "call again" in spoken and "vuelva a llamar" in spoken
    assert "<Hangup" in spoken


@ON_POSTGRESQL
def test_a_database_host_that_never_answers_is_given_up_on_within_the_connect_timeout(
    quick: Settings, proxy: TcpProxy
) -> None:
    app = app_for(quick, database_url=proxy.url_for(quick.database_url))
    proxy.silent()
    status, retry_after, took = timed_post(app, "/twilio/sms", sms_form(PATIENT, "12/15"))
    assert (status, retry_after) == (503, "5")
    assert took < quick.database_connect_timeout_seconds + 1.5, took


@contextmanager
def another_writer_holding(settings: Settings, phone_number: str) -> Iterator[None]:
    """What a text from `phone_number` needs, held by someone else (its row, or SQLite's lock)."""
    if settings.database_url.startswith("sqlite"):
        raw = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
        raw.isolation_level = None
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            raw.close()
        return
    engine = create_engine(settings.database_url, poolclass=NullPool)
    lock = text("SELECT id FROM conversations WHERE phone = :phone FOR UPDATE")
    with engine.connect() as held:
        held.execute(lock, {"phone": phone_number})
        yield
    engine.dispose()


def test_a_text_stuck_behind_a_lock_gets_503_within_the_statement_timeout_and_a_retry_works(
    quick: Settings,
) -> None:
    app = app_for(quick)
    phone(app.test_client(), PATIENT).text("SECOND")
    form = sms_form(PATIENT, "1")
    with another_writer_holding(quick, PATIENT):
        status, retry_after, took = timed_post(app, "/twilio/sms", form)
    assert (status, retry_after) == (503, "5")
    assert took < quick.database_statement_timeout_seconds + 1.5, took
    assert count(quick, MessageRow, sid=form["MessageSid"]) == 0
    retried = post_signed(app.test_client(), "/twilio/sms", form)  # Twilio's retry
    assert retried.status_code == 200 and "<Message>" in retried.get_data(as_text=True)
    assert count(quick, MessageRow, sid=form["MessageSid"]) == 1


@ON_POSTGRESQL
def test_a_transaction_cut_half_way_writes_nothing_and_its_retry_writes_it_once(
    quick: Settings,
) -> None:
    app = app_for(quick)
    engine = create_engine(quick.database_url, poolclass=NullPool)
    form = sms_form(PATIENT, "SECOND")
    with engine.connect() as blocker:  # the person and the message get written, the ledger waits
        blocker.execute(text("LOCK TABLE consent_events IN EXCLUSIVE MODE"))
        status, _, took = timed_post(app, "/twilio/sms", form)
        blocker.rollback()
    engine.dispose()
    assert status == 503 and took < 2.5
    assert count(quick, ConversationRow, phone=PATIENT) == 0
    assert count(quick, MessageRow) == 0
    assert post_signed(app.test_client(), "/twilio/sms", form).status_code == 200
    assert count(quick, MessageRow, sid=form["MessageSid"]) == 1
    assert count(quick, ConsentEventRow, phone=PATIENT) == 1
