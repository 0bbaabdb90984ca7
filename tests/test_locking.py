"""Every writer locks people through one function, in id order (store.people._lock)."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, update

from secondopinion import staff
from secondopinion.container import Services
from secondopinion.reminders.sweep import mend
from store.db import transaction
from store.models import ReminderRow
from tests.builders import press, ring, status_callback
from tests.reminding import NY, at, clock, conversation, enrol, sweep_and_send
from twilio_double import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent
LOCKS_PEOPLE = re.compile(r"\bFROM conversations\b.*\bFOR UPDATE", re.S)


def top_level(sql: str) -> str:
    """The statement without its parenthesised parts: what FOR UPDATE applies to."""
    depth, kept = 0, []
    for char in sql:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")"
    return "".join(kept)


def test_only_a_top_level_select_of_conversations_locks_people() -> None:
    claim = "SELECT id FROM reminders WHERE x NOT IN (SELECT id FROM conversations) FOR UPDATE"
    lock = "SELECT id, EXISTS (SELECT 1 FROM holds) FROM conversations WHERE 1 FOR UPDATE"
    assert not LOCKS_PEOPLE.search(top_level(claim))
    assert LOCKS_PEOPLE.search(top_level(lock))


PATIENT, CALLER, REFUSER = "+12125550141", "+12125550142", "+12125550143"


def _relative(filename: str) -> str:
    return filename.split(f"{ROOT}/")[-1]


@contextmanager
def people_locks(engine: Engine) -> Iterator[list[tuple[str, list[str]]]]:
    """Each statement that locks rows of `conversations`, with the functions that sent it."""
    seen: list[tuple[str, list[str]]] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if LOCKS_PEOPLE.search(top_level(statement)):
            frames = [f"{_relative(f.filename)}:{f.name}" for f in traceback.extract_stack()]
            seen.append((statement, frames))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_every_writer_locks_people_through_one_function_in_id_order(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    web: Engine = client.application.extensions["secondopinion"].engine
    with (
        people_locks(web) as by_web,
        people_locks(svc.engine) as by_workers,
        clock(at(NY, 2026, 11, 2, 10, 0)) as t,
    ):
        if True:
            enrol(client, PATIENT, "SECOND", "1", "11/20", "YES", "YES")  # texts
            turn = press(client, ring(client, CALLER), CALLER, "1")  # keys: sign up by phone
            press(client, press(client, turn, CALLER, "5"), CALLER, "1")
            enrol(client, REFUSER)
            fake_twilio.fail_to(REFUSER, 21610)
            t.move_to(at(NY, 2026, 11, 2, 11, 0))
            sweep_and_send(svc)  # both phases, a carrier refusal among them
            with transaction(svc.sessions) as session:  # a send whose outcome was lost
                stuck = update(ReminderRow).values(status="sending", sending_at=svc.clock())
                session.execute(stuck.where(ReminderRow.id == _any_reminder(svc, PATIENT)))
            t.move_to(at(NY, 2026, 11, 2, 12, 0))
            mend(svc, lambda ids: None)
            [sent] = [m for m in fake_twilio.messages if m["to"] == PATIENT]
            status_callback(client, sent["sid"], "undelivered", "21610", to=PATIENT)
            with transaction(svc.sessions) as session:  # staff, every action
                person = conversation(svc, CALLER).id
                for action in ("pause", "resume", "timezone", "opt-out", "erase"):
                    staff.act(session, svc.machine, person, action, "nadia", svc.clock(), NY.key)

    seen = by_web + by_workers
    callers = {frames[-2] for _, frames in seen if "store/people.py:_lock" in frames}
    assert len(seen) >= 10 and callers  # the journey above did lock people, many times
    for statement, frames in seen:
        ours = [f for f in frames if f.startswith(("store/", "secondopinion/", "webhooks/"))]
        assert "store/people.py:_lock" in frames, (statement, ours)
        assert "ORDER BY conversations.id" in statement, statement
    writers = {f for _, frames in seen for f in frames if f.startswith("secondopinion/")}
    for path in ("conversation.py", "voice.py", "prepare.py", "deliver.py", "delivery.py"):
        assert any(f.startswith(f"secondopinion/{path}") or f"/{path}" in f for f in writers), path
    assert any(f.startswith("secondopinion/staff.py") for f in writers)
    assert any(f.startswith("secondopinion/reminders/sweep.py") for f in writers)


def _any_reminder(svc: Services, phone: str) -> int:
    from store.reminders import schedule

    with svc.sessions() as session:
        waiting = [r for r in schedule(session, conversation(svc, phone).id) if r.pending]
        return waiting[0].id
