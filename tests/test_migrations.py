"""The migrations build the schema the models describe, and fill in milestones already reached."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from store.db import make_engine
from store.migrate import upgrade
from store.models import Base, ConversationRow, MilestoneRow


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


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
