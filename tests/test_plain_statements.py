"""The inbound text's statements sent as plain SQL on PostgreSQL (store.db.Plain): what
SQLAlchemy would have done for them still holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, exc, text
from sqlalchemy.orm import Session

from store import messages, people

pytestmark = pytest.mark.postgres
NOW = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)
PHONE = "+12125550171"


def test_a_failed_plain_statement_is_sqlalchemys_error_and_shows_no_values(pg: Engine) -> None:
    with Session(pg) as session, session.begin():
        unknown_person = messages.reply(999_999, 999_999, "a private answer", "help", "en", NOW)
        with pytest.raises(exc.IntegrityError) as raised:
            unknown_person.run(session)
    assert "private" not in str(raised.value)
    assert "INSERT INTO messages" in str(raised.value)


def test_a_person_locked_by_plain_sql_has_utc_times_whatever_the_connections_zone(
    pg: Engine,
) -> None:
    with Session(pg) as session, session.begin():
        person = people.lock_by_phone(session, PHONE, NOW, "America/New_York")
        enrolled = dataclasses.replace(person.state, enrolled_at=NOW)
        people.save(session, person, enrolled, NOW)
    with Session(pg) as session, session.begin():
        session.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
        found = people.lock_for_text(session, PHONE, "SM-never-seen", NOW, "America/New_York")
    assert found is not None and found.state.enrolled_at == NOW
    assert found.state.enrolled_at.tzinfo is dt.UTC


def _rows_read(plan: dict[str, Any], table: str) -> float:
    """Rows the plan's nodes on `table` returned, over all their loops."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == table else 0
    return own + sum(_rows_read(child, table) for child in plan.get("Plans", []))


def test_the_senders_lock_reads_one_case_row_at_most_however_many_cases_are_open(
    pg: Engine,
) -> None:
    """Whether the sender has a case open is looked up for them (the one-open-case index),
    not by reading every open case: that grew each text's cost with the inbox."""
    numbers = [f"+1{area}55501{n:02d}" for area in (212, 646) for n in range(100)]
    with Session(pg) as session, session.begin():
        for number in numbers:
            people.lock_by_phone(session, number, NOW, "America/New_York")
        session.execute(
            text(
                "INSERT INTO cases (conversation_id, status, opened_at, opened_by) "
                "SELECT id, 'open', now(), 'patient' FROM conversations"
            )
        )
    with pg.begin() as connection:
        connection.execute(text("ANALYZE cases"))
        compiled = people._BY_PHONE_FOR_TEXT.compile(dialect=connection.dialect)
        params = {**compiled.params, "phone": numbers[7], "sid": "SM-never-seen"}
        explained = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}", params
        ).scalar_one()
    assert _rows_read(explained[0]["Plan"], "cases") <= 1  # was 200: every open case
