"""the staff inbox (cases), labels staff give people, the visit's outcome and milestones

Milestones already reached are filled in from each conversation as it stands: sign-up at
its enrolment time, the others at its last change (the best time known for them).

Revision ID: inb_0001
Revises: sec_0001
Create Date: 2026-12-16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "inb_0001"
down_revision: str | Sequence[str] | None = "sec_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = store.types.UTCDateTime(timezone=True)
BACKFILL = {  # milestone -> (when, which conversations reached it)
    "signed_up": ("enrolled_at", "enrolled_at IS NOT NULL"),
    "date_given": ("updated_at", "enrolled_at IS NOT NULL AND appointment IS NOT NULL"),
    "referral_resolved": (
        "updated_at",
        "enrolled_at IS NOT NULL AND referral IN ('not_needed', 'sent')",
    ),
    "records_complete": ("updated_at", "enrolled_at IS NOT NULL AND records_done = '1,2,3,4'"),
}


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_outcome", sa.String(length=20), nullable=True))
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_to", sa.String(length=64), nullable=True),
        sa.Column("last_patient_at", UTC, nullable=True),
        sa.Column("last_staff_at", UTC, nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("close_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_conversation_id", ["conversation_id"], unique=False)
        batch_op.create_index(
            "uq_cases_one_open",
            ["conversation_id"],
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )
    op.create_table(
        "person_labels",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("navigator", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(length=24), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "milestone", name="uq_milestones_person_step"),
    )
    for milestone, (when, where) in BACKFILL.items():
        op.execute(
            "INSERT INTO milestones (conversation_id, milestone, at)"
            f" SELECT id, '{milestone}', {when} FROM conversations WHERE {where}"
        )


def downgrade() -> None:
    op.drop_table("milestones")
    op.drop_table("person_labels")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("uq_cases_one_open")
        batch_op.drop_index("ix_cases_conversation_id")
    op.drop_table("cases")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("visit_outcome")
