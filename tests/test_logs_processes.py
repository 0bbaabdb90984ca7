"""No log line of any process (gunicorn's own and its access log, the web app, the Celery
worker, beat) holds a patient's number or their words, or the words sent to them: a whole
journey with reminders and delivery reports, a text stuck behind a lock (503), the
database cut, and a database error raised while the patient's words are being written,
both in the webhook and in the worker's catch-up."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.processes import wait_until
from tests.stack import Stack, environment, in_the_afternoon, person, reminder_due, running
from tests.tcp_proxy import TcpProxy
from twilio_double import FakeTwilio

pytestmark = pytest.mark.postgres
PATIENT, FRIEND = "+13125550175", "+13125550176"
SECRET_WORDS = ("Zanzibar", "lymphoma", "Quixote", "biopsy")
JOURNEY = ("SECOND", "1", "Dr Quixote says 12/15", "YES", "NOT SURE", "DONE 1")
FORCED = "my biopsy from Zanzibar shows lymphoma"  # the database refuses to store this one

# A trigger that fails the insert of that one text, in the webhook and in the catch-up,
# without naming it: only the driver's own message could quote what it was given.
REFUSE = """
CREATE FUNCTION refuse_forced() RETURNS trigger AS $$
BEGIN
  IF NEW.body LIKE '%Zanzibar%' THEN RAISE EXCEPTION 'refused for the test'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse_forced BEFORE INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION refuse_forced();
"""
ALLOW = "DROP TRIGGER refuse_forced ON messages; DROP FUNCTION refuse_forced();"


def forms_of(number: str) -> list[str]:
    """Every way a number can be written in a log line."""
    digits = number.removeprefix("+1")
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return [
        number,
        digits,
        "%2B1" + digits,
        f"{area}-{exchange}-{line}",
        f"({area}) {exchange}-{line}",
        f"{area} {exchange} {line}",
    ]


def run_sql(pg: Engine, statements: str) -> None:
    with pg.begin() as connection:
        connection.execute(text(statements))


def the_journey(stack: Stack, pg: Engine, fake: FakeTwilio) -> None:
    for body in JOURNEY:
        assert stack.text(PATIENT, body)[1].status_code == 200
    stack.text(FRIEND, "SECOND")
    in_the_afternoon(pg, PATIENT)
    for kind in ("checklist", "phrase"):
        reminder_due(pg, person(pg, PATIENT).id, kind, dt.datetime.now(dt.UTC))
    assert wait_until(lambda: fake.count_to(PATIENT) >= 1, timeout=60)
    for sent in fake.messages:
        stack.phone(sent["to"]).report(sent["sid"], "delivered")


def test_no_log_line_of_any_process_holds_a_number_or_the_words_sent(
    pg: Engine,
    postgresql_url: str,
    proxy: TcpProxy,
    broker_url: str,
    fake_twilio: FakeTwilio,
    tmp_path: Path,
) -> None:
    env = environment(proxy.url_for(postgresql_url), broker_url, fake_twilio)
    with running(env, tmp_path, fake_twilio) as stack:
        the_journey(stack, pg, fake_twilio)
        with pg.connect() as holder:  # a text stuck behind another writer's lock: a 503
            holder.execute(
                text("SELECT id FROM conversations WHERE phone = :p FOR UPDATE"), {"p": PATIENT}
            )
            assert stack.text(PATIENT, "Quixote again")[1].status_code == 503
            holder.rollback()
        proxy.down()  # the database cut: a 503, and the worker's jobs fail meanwhile
        assert stack.text(PATIENT, "12/16 with Dr Quixote")[1].status_code == 503
        time.sleep(2.0)
        proxy.up()
        run_sql(pg, REFUSE)  # a database error while the patient's words are written
        assert stack.text(PATIENT, FORCED)[1].status_code == 500
        assert wait_until(lambda: "catch-up: a text could not" in stack.logs()["worker"], 60)
        run_sql(pg, ALLOW)  # the catch-up takes the refused text in at its next run
        every_sid = [m["sid"] for m in fake_twilio.received]
        assert wait_until(lambda: stored(pg, every_sid) == len(every_sid), timeout=60)
        assert stack.text(PATIENT, "STOP")[1].status_code == 200
        logs = stack.logs()

    sent_to_them = [m["body"] for m in fake_twilio.messages]
    assert sent_to_them and all(len(body) > 40 for body in sent_to_them)
    for name, log in logs.items():
        for needle in [*forms_of(PATIENT), *forms_of(FRIEND), *SECRET_WORDS, *sent_to_them]:
            assert needle not in log, f"{name}.log holds {needle!r}"
    assert "Traceback" in logs["web"] and "[SQL parameters hidden" in logs["web"]
    assert "[SQL parameters hidden" in logs["worker"]  # the forced error, there too
    assert re.search(r'"POST /twilio/sms" 503', logs["web"])  # the access log is on
    assert "+1•••0175" in logs["web"]  # the mask shows whose line it is


def stored(pg: Engine, sids: list[str]) -> int:
    with pg.connect() as connection:
        query = text("SELECT count(*) FROM messages WHERE sid = ANY(:sids)")
        return int(connection.execute(query, {"sids": sids}).scalar_one())
