"""voice: reminders by phone call

Revision ID: 0003_voice
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_voice"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calls", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spoken", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("channel", sa.String(length=5), nullable=False, server_default="sms")
        )
        batch_op.add_column(
            sa.Column("call_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("call_attempts")
        batch_op.drop_column("channel")
        batch_op.drop_column("spoken")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("calls")
