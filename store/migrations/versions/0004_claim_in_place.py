"""claims without index churn: one head again, a sweep's claim is a HOT update

A sweep used to move each due row to status `claimed`, which rewrote every index entry of
1,000 rows per sweep. Now a claimed row stays `pending` with `claimed_at` set: no indexed
column changes, so PostgreSQL updates it in place (a HOT update) when its page has room,
which the table's fill factor keeps. The (status, claimed_at) index, the one index that
named `claimed_at`, becomes a small partial index on `sending_at` for sends to reconcile.
Workers of this release also send rows a sweep of the previous release marks `claimed`
while both run during a deploy (store.reminders.is_claimed); stopping the beat before the
release step leaves none. The fill factor applies to pages written from now on;
`VACUUM FULL reminders` (or pg_repack) at a quiet hour gives the existing pages room too.

Revision ID: 0004
Revises: 0003, 0003_voice
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = ("0003", "0003_voice")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_FACTOR = 85  # room on each page for the next version of its rows


def upgrade() -> None:
    # Releases before this one put rows back to `pending` without clearing `claimed_at`;
    # from now on that would read as claimed, so it is cleared first.
    op.execute("UPDATE reminders SET claimed_at = NULL WHERE status = 'pending'")
    op.execute("UPDATE reminders SET status = 'pending' WHERE status = 'claimed'")
    op.drop_index("ix_reminders_status_claimed", table_name="reminders")
    op.create_index(
        "ix_reminders_sending",
        "reminders",
        ["sending_at"],
        postgresql_where=sa.text("status = 'sending'"),
        sqlite_where=sa.text("status = 'sending'"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE reminders SET (fillfactor = {FILL_FACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reminders RESET (fillfactor)")
    op.drop_index("ix_reminders_sending", table_name="reminders")
    op.create_index("ix_reminders_status_claimed", "reminders", ["status", "claimed_at"])
    op.execute(
        "UPDATE reminders SET status = 'claimed' "
        "WHERE status = 'pending' AND claimed_at IS NOT NULL"
    )
