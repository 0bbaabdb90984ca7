"""nothing lost, nothing kept: tombstones of forgotten texts, heartbeats, looked-up statuses,
a consent ledger that outlives the conversation and keeps keywords, not words

- `forgotten_messages`: the MessageSids of erased or expired inbound texts, so a replayed
  webhook or a catch-up that meets one again changes nothing;
- `heartbeats`: when the sweep and the catch-up last ran, and up to when inbound texts
  are known to be complete;
- `messages.status_checked_at`: a text whose delivery report never came is looked up at
  Twilio once;
- `consent_events.conversation_id` and `staff_actions.conversation_id` may be NULL: an
  erased person's conversation goes, their consent lines and the staff's record stay;
- the words of existing consent lines by text become the keyword they matched (or that
  they were a sentence meaning stop), as new lines are written.

Revision ID: res_0001
Revises: inb_0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "res_0001"
down_revision: str | Sequence[str] | None = "inb_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forgotten_messages",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("sid"),
    )
    op.create_table(
        "heartbeats",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(
            sa.Column("status_checked_at", store.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("consent_events") as batch_op:
        batch_op.alter_column("conversation_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("staff_actions") as batch_op:
        batch_op.alter_column("conversation_id", existing_type=sa.Integer(), nullable=True)
    _keywords_not_words()


def _keywords_not_words() -> None:
    """What the flow writes now, for the lines written before (read with today's keywords)."""
    from flows import load_content
    from flows.conversation.keywords import Keywords

    keywords = Keywords(load_content())
    ledger = sa.table(
        "consent_events", sa.column("id", sa.Integer), sa.column("words", sa.Text),
        sa.column("channel", sa.String),
    )  # fmt: skip
    connection = op.get_bind()
    lines = connection.execute(
        sa.select(ledger.c.id, ledger.c.words).where(ledger.c.channel == "sms")
    )
    for line_id, words in list(lines):
        label = keywords.read(words).label
        if label != words:
            connection.execute(ledger.update().where(ledger.c.id == line_id).values(words=label))


def downgrade() -> None:
    with op.batch_alter_table("staff_actions") as batch_op:
        batch_op.alter_column("conversation_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("consent_events") as batch_op:
        batch_op.alter_column("conversation_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("status_checked_at")
    op.drop_table("heartbeats")
    op.drop_table("forgotten_messages")
