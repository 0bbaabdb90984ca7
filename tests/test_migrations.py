"""Migrations: the schema they build is the models', and data written before is carried over
(consent lines keep only the keyword, milestones already reached are filled in)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import upgrade
from store.models import Base, ConsentEventRow, ConversationRow, MilestoneRow
from tests.services import (
    POSTGRES_URL,
    drop_postgres_database,
    fresh_postgres_database,
    require_postgres,
)

AT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    require_postgres()
    url = f"{POSTGRES_URL}_{os.getpid()}_fresh"
    fresh_postgres_database(url)
    yield url
    drop_postgres_database(url)


def test_the_migrations_build_exactly_the_models(empty_database: str) -> None:
    upgrade(empty_database)
    engine = create_engine(empty_database, poolclass=NullPool)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_consent_lines_written_before_keep_the_keyword_and_lose_the_words(
    empty_database: str,
) -> None:
    upgrade(empty_database, "0005")
    engine = create_engine(empty_database, poolclass=NullPool)
    said = {
        "Please stop texting me about my cancer": "(a sentence meaning STOP)",
        "segunda": "SEGUNDA",
        "Stop.": "STOP",
    }
    with engine.begin() as connection:
        person = connection.execute(
            text(
                "INSERT INTO conversations (phone, language, step, status, date_deferred,"
                " referral, records_done, phrase_index, timezone, calls, created_at, updated_at)"
                " VALUES ('+12125550171', 'en', 'ready', 'opted_out', false, 'unknown', '', 0,"
                " 'America/New_York', false, :at, :at) RETURNING id"
            ),
            {"at": AT},
        ).scalar_one()
        lines = [("sms", words) for words in said] + [("voice", "pressed 1")]
        for channel, words in lines:
            connection.execute(
                insert(ConsentEventRow.__table__).values(
                    conversation_id=person, phone="+12125550171", kind="opt_out",
                    channel=channel, words=words, shown_text="(shown)", at=AT,
                )
            )  # fmt: skip
    upgrade(empty_database)
    with engine.connect() as connection:
        kept = connection.execute(select(ConsentEventRow.words).order_by(ConsentEventRow.id))
        assert list(kept.scalars()) == [*said.values(), "pressed 1"]
    engine.dispose()


@pytest.mark.parametrize("records", ["1,2,3,4", "1,3"])
def test_milestones_already_reached_are_filled_in(tmp_path: Path, records: str) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005")
    joined = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)
    later = joined + dt.timedelta(days=3)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(ConversationRow.__table__).values(  # type: ignore[arg-type]
                phone="+12125550160",
                language="en",
                step="ready",
                status="active",
                appointment=dt.date(2026, 12, 1),
                date_deferred=False,
                referral="not_needed",
                records_done=records,
                phrase_index=0,
                timezone="America/New_York",
                calls=False,
                created_at=joined,
                updated_at=later,
                enrolled_at=joined,
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(select(MilestoneRow.milestone, MilestoneRow.at)).all()
    engine.dispose()
    reached = dict(rows)
    assert reached["signed_up"] == joined
    assert reached["date_given"] == reached["referral_resolved"] == later
    assert ("records_complete" in reached) is (records == "1,2,3,4")
