"""PostgreSQL cut under real processes (gunicorn, a Celery worker and beat) while texts
are flowing: every webhook answers 503 at once; once it is back, each text missed in
the outage is taken in exactly once, within seconds, and a STOP sent meanwhile wins over
the reminders that fell due."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, func, select

from store.models import ConversationRow, MessageRow, ReminderRow
from tests.builders import PROGRAM_NUMBER
from tests.processes import wait_until
from tests.stack import Stack, environment, in_the_afternoon, person, reminder_due, running
from tests.tcp_proxy import TcpProxy
from twilio_double import FakeTwilio, new_sid, status_form, voice_form

pytestmark = pytest.mark.postgres
STOPPER, DATER, WAITER = "+13125550171", "+13125550172", "+13125550173"
CHATTER = "+13125550174"  # keeps texting through it all


class Chatter(threading.Thread):
    """A patient texting every 0.3 s, before, during and after the outage."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack, self.stopping = stack, threading.Event()
        self.answers: list[tuple[str, int, float]] = []  # sid, status, seconds

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                sid, answer = self.stack.text(CHATTER, "MENU")
            except requests.RequestException:  # no answer at all: counted as status 0
                self.answers.append(("", 0, time.monotonic() - started))
                return
            self.answers.append((sid, answer.status_code, time.monotonic() - started))
            self.stopping.wait(0.3)

    def __enter__(self) -> Chatter:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.join(30)


def the_outage(stack: Stack) -> dict[str, str]:
    """Texts, a delivery report and a call while PostgreSQL is away: 503 at once, each."""
    missed: dict[str, str] = {}
    for number, body in ((STOPPER, "Stop please"), (DATER, "12/15"), (WAITER, "NOT YET")):
        started = time.monotonic()
        missed[number], answer = stack.text(number, body)
        assert answer.status_code == 503 and time.monotonic() - started < 3.0, answer
    for path, form in (
        ("/twilio/status", status_form(new_sid("SM"), "delivered")),
        ("/twilio/voice", voice_form(DATER, PROGRAM_NUMBER)),
    ):
        assert stack.phone(DATER).post(path, form).status_code == 503, path
    assert stack.get("/readyz") == 503 and stack.get("/healthz") == 200
    return missed


def rows_per_sid(pg: Engine, sids: list[str]) -> Counter[str]:
    with pg.connect() as connection:
        query = select(MessageRow.sid, func.count()).where(MessageRow.sid.in_(sids))
        found = connection.execute(query.group_by(MessageRow.sid)).all()
    return Counter({str(sid): int(count) for sid, count in found})


def test_postgresql_cut_mid_traffic_then_every_missed_text_is_taken_in_once_and_stop_wins(
    pg: Engine,
    postgresql_url: str,
    proxy: TcpProxy,
    broker_url: str,
    fake_twilio: FakeTwilio,
    tmp_path: Path,
) -> None:
    env = environment(proxy.url_for(postgresql_url), broker_url, fake_twilio)
    with running(env, tmp_path, fake_twilio) as stack:
        for number in (STOPPER, DATER, WAITER, CHATTER):
            for body in ("SECOND", "1"):
                assert stack.text(number, body)[1].status_code == 200
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)  # falls due in the outage
        for number in (STOPPER, DATER, WAITER):
            reminder_due(pg, person(pg, number).id, "by_text", soon)  # a plan change keeps it
            in_the_afternoon(pg, number)
        with Chatter(stack) as chatter:
            time.sleep(1.0)
            proxy.down()  # PostgreSQL goes away under everything
            cut_at = time.monotonic()
            missed = the_outage(stack)
            time.sleep(max(0.0, 6.0 - (time.monotonic() - cut_at)))  # the reminders fall due
            proxy.up()
            back_at = time.monotonic()
            time.sleep(1.0)
        every_sid = [m["sid"] for m in fake_twilio.received]
        assert wait_until(lambda: len(rows_per_sid(pg, every_sid)) == len(every_sid), 120)
        caught_up_in = time.monotonic() - back_at
        assert person(pg, STOPPER).status == "opted_out"
        assert person(pg, DATER).step == "date_confirm" and person(pg, WAITER).date_deferred
        answered = [DATER, WAITER]  # the reminder, and the late answer (by the send path)
        assert wait_until(lambda: all(fake_twilio.count_to(n) == 2 for n in answered), 60)
        time.sleep(2.0)  # let any wrongly claimed reminder go out, if it were going to
        logs = stack.logs()

    statuses = Counter(status for _, status, _ in chatter.answers)
    assert set(statuses) == {200, 503}, statuses  # never a 500, never a hang
    assert max(took for _, status, took in chatter.answers if status == 503) < 3.0
    assert rows_per_sid(pg, every_sid) == Counter(dict.fromkeys(every_sid, 1))  # each once
    with pg.connect() as connection:
        query = select(MessageRow.status).where(MessageRow.sid.in_(missed.values()))
        assert list(connection.scalars(query)) == ["late"] * 3  # taken in by the catch-up
    assert caught_up_in < 120, caught_up_in
    print(f"every missed text taken in {caught_up_in:.1f} s after PostgreSQL came back")
    assert fake_twilio.bodies_to(STOPPER) == []  # no reminder, no late confirmation
    with pg.connect() as connection:
        kinds = select(ConversationRow.phone, ReminderRow.kind, ReminderRow.status).join(
            ConversationRow
        )
        reminders = {(p, k): s for p, k, s in connection.execute(kinds) if k == "by_text"}
    assert reminders[(STOPPER, "by_text")] == "cancelled"
    assert reminders[(DATER, "by_text")] == reminders[(WAITER, "by_text")] == "sent"
    assert any("Is your visit on" in body for body in fake_twilio.bodies_to(DATER))  # 12/15
    assert "Traceback" not in logs["web"], logs["web"][-3000:]
