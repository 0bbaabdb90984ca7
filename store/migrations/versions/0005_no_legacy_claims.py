"""the last `claimed` rows become pending-and-claimed, so no code reads the old status

Release 0004 kept workers able to send rows that an older sweep had marked `claimed`
while both ran during that deploy. Every worker now runs 0004's code or later, so this
turns any such row left behind into what the sweep writes today, and the code no longer
knows the old status.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE reminders SET status = 'pending', claimed_at = COALESCE(claimed_at, created_at)"
        " WHERE status = 'claimed'"
    )


def downgrade() -> None:
    pass  # pending-and-claimed is what 0004 wrote too
