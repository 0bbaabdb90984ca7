"""Answers per number are bounded (SMS pumping, auto-responders); STOP and START still count."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from flows.conversation.limits import SAME_TEXT_ANSWERS
from secondopinion import traffic
from secondopinion.settings import Settings
from store.models import ConsentEventRow, ConversationRow
from tests.builders import sms
from webhooks import create_app

PATIENT = "+12125550181"
AWAY = "Thanks for your message! I am away and will get back to you soon."


def answers(client: FlaskClient, number: str, texts: list[str]) -> int:
    return sum(len(sms(client, number, text)) for text in texts)


def status(app: Flask, number: str) -> str:
    with app.extensions["secondopinion"].sessions() as session:
        query = select(ConversationRow.status).where(ConversationRow.phone == number)
        return str(session.scalar(query))


def test_the_same_text_over_and_over_is_answered_a_few_times(client: FlaskClient) -> None:
    sms(client, PATIENT, "SECOND")
    sms(client, PATIENT, "1")  # enrolled: the same PHRASES over and over, a real answer each
    assert answers(client, PATIENT, ["PHRASES"] * 50) == SAME_TEXT_ANSWERS
    assert answers(client, "+12125550189", [AWAY] * 50) <= SAME_TEXT_ANSWERS


def test_junk_from_a_new_number_gets_a_few_answers_then_silence(
    client: FlaskClient, settings: Settings
) -> None:
    junk = [f"auto-reply {n}: out of office" for n in range(50)]
    assert answers(client, "+12125550182", junk) == settings.unclear_replies_per_day


def test_help_after_stop_is_bounded(client: FlaskClient, settings: Settings) -> None:
    sms(client, "+12125550183", "STOP")
    helps = ["HELP", "help", "Help", "INFO", "info", "HELP!", "help me", "HELP?"] * 5
    assert answers(client, "+12125550183", helps) <= settings.unclear_replies_per_day


def test_two_auto_responders_stop_after_a_few_rounds(client: FlaskClient) -> None:
    rounds, text = 0, "SECOND"
    for n in range(100):  # the other side answers every text it gets, a little differently
        got = sms(client, PATIENT, text)
        if not got:
            break
        rounds, text = rounds + 1, f"[Auto-reply {n}] {AWAY}"
    # the welcome, the date question the language step goes on to, then the unclear budget
    assert rounds <= 1 + 1 + 5


def test_past_the_budget_the_service_is_silent_but_stop_and_start_still_count(
    app: Flask, client: FlaskClient
) -> None:
    sms(client, PATIENT, "SECOND")
    answers(client, PATIENT, [f"junk {n}" for n in range(40)])
    assert sms(client, PATIENT, "STOP") == [] or status(app, PATIENT) == "opted_out"
    assert status(app, PATIENT) == "opted_out"
    sms(client, PATIENT, "START")
    assert status(app, PATIENT) == "active"
    with app.extensions["secondopinion"].sessions() as session:
        kinds = session.scalars(select(ConsentEventRow.kind).order_by(ConsentEventRow.id)).all()
    assert kinds == ["opt_in", "opt_out", "opt_in"]


def test_the_daily_budget_is_a_setting_and_renews_after_a_day(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"replies_per_day": 3}))
    client = app.test_client()
    with time_machine.travel(dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC), tick=False) as t:
        assert answers(client, PATIENT, ["SECOND", "1", "PHRASES", "PHRASES again"]) == 3
        t.shift(dt.timedelta(hours=24, minutes=1))
        assert answers(client, PATIENT, ["MENU"]) == 1
    app.extensions["secondopinion"].engine.dispose()


@pytest.mark.parametrize(("surge", "alarm"), [(40, True), (20, False)])
def test_a_surge_of_new_numbers_raises_the_alarm_metric_and_a_log_line(
    settings: Settings, caplog: pytest.LogCaptureFixture, surge: int, alarm: bool
) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": "t"}))
    client = app.test_client()
    start = dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as t:
        for hour in range(10):  # the usual week: a new number now and then
            t.move_to(start + dt.timedelta(hours=hour * 7))
            sms(client, f"+1212555{hour:04d}", "SECOND")
        t.move_to(start + dt.timedelta(days=3))
        for n in range(surge):
            sms(client, f"+1303555{n:04d}", "hi")
        metrics = client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(True)
        svc = app.extensions["secondopinion"]
        with caplog.at_level(logging.WARNING), svc.sessions() as session:
            seen = traffic.watch(session, svc.clock(), 10.0, 30)
    assert f'secondopinion_traffic_alarm{{what="new_numbers"}} {float(alarm)}' in metrics
    assert seen["new_numbers"] == surge
    assert ("traffic alarm" in caplog.text) is alarm
    app.extensions["secondopinion"].engine.dispose()
