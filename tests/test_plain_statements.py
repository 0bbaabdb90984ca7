"""The inbound text's statements sent as plain SQL on PostgreSQL (store.db.Plain): what
SQLAlchemy would have done for them still holds."""

from __future__ import annotations

import dataclasses
import datetime as dt

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
