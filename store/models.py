"""Every table, in one schema module: which module writes each is in docs/architecture.md."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    """One phone number's conversation: the flow state plus bookkeeping."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    language: Mapped[str] = mapped_column(String(5))
    step: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    appointment: Mapped[dt.date | None] = mapped_column(Date)
    pending_date: Mapped[dt.date | None] = mapped_column(Date)
    date_deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    referral: Mapped[str] = mapped_column(String(20))
    records_done: Mapped[str] = mapped_column(String(20), default="")
    phrase_index: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str] = mapped_column(String(64))
    calls: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    referral_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deferred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    visit_outcome: Mapped[str | None] = mapped_column(String(20))  # did the visit happen?

    messages: Mapped[list[MessageRow]] = relationship(back_populates="conversation")


class MessageRow(Base):
    """A text in or out. Inbound rows are unique by Twilio's MessageSid."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_created", "conversation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" / "out"
    sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(64))  # catalogue key of an outbound text
    language: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[int | None] = mapped_column(Integer)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # when a text still waiting for its delivery report was looked up at Twilio (once)
    status_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    conversation: Mapped[ConversationRow] = relationship(back_populates="messages")
    reply_to: Mapped[MessageRow | None] = relationship(remote_side=[id])


class ConsentEventRow(Base):
    """The consent ledger: who opted in or out, when, how, and the exact text we showed.

    What the law asks for outlives the conversation: erasing a person or the retention
    job deletes their conversation and leaves these rows, unlinked (conversation_id NULL).
    """

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "opt_in" / "opt_out"
    channel: Mapped[str] = mapped_column(String(10))  # "sms" / "voice" / "staff"
    words: Mapped[str] = mapped_column(Text)  # the keyword matched, a key pressed, who acted
    shown_text: Mapped[str] = mapped_column(Text)  # what we answered, exactly
    message_sid: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    conversation: Mapped[ConversationRow] = relationship()


class ReminderRow(Base):
    """A scheduled reminder. The row is the only copy: the broker only carries its id.

    pending -> claimed (by a sweep: still `pending`, `claimed_at` set, so the claim changes
    no indexed column and PostgreSQL updates the row in place) -> sending (committed before
    Twilio is called) -> sent; or cancelled / skipped (no longer applies) / failed. A row left
    in `sending` by a crash is reconciled against Twilio's message list before anything is
    sent again. No index may name `claimed_at`: that would make every claim rewrite indexes.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("conversation_id", "key", name="uq_reminders_conversation_key"),
        Index(
            "ix_reminders_pending_due",
            "due_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index(
            "ix_reminders_sending",
            "sending_at",
            postgresql_where=text("status = 'sending'"),
            sqlite_where=text("status = 'sending'"),
        ),
        {"postgresql_with": {"fillfactor": 85}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(96))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sending_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    body: Mapped[str | None] = mapped_column(Text)
    spoken: Mapped[str | None] = mapped_column(Text)  # the same reminder worded for a call
    channel: Mapped[str] = mapped_column(String(5), default="sms", server_default="sms")
    call_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sid: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    conversation: Mapped[ConversationRow] = relationship()


class ReminderHoldRow(Base):
    """A person whose reminders staff paused: the sweep does not claim them until resumed."""

    __tablename__ = "reminder_holds"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    held_by: Mapped[str] = mapped_column(String(64))
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StaffUserRow(Base):
    """A person who may sign in to /admin."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StaffSessionRow(Base):
    """A signed-in dashboard session, checked on every request so it can be ended at once.

    The browser holds a random token; only its SHA-256 is kept, so a copy of this table
    opens nothing. Signing out, a new password and removing the account delete the rows.
    """

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SignInRow(Base):
    """Every sign-in attempt at /admin: the audit of who signed in or failed to, and from where.

    `username` is the account's name; a name that matches no account is kept as a hash
    (a password typed in the wrong box is never stored in clear).
    """

    __tablename__ = "sign_ins"
    __table_args__ = (Index("ix_sign_ins_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))  # ok / failed / refused / signed_out


class StaffActionRow(Base):
    """What a staff member did to a person, shown on the person's timeline."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the person was erased: the action stays in the staff's record
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CaseRow(Base):
    """A question for a person in the staff inbox: open until staff close it or texts end.

    open -> closed (by staff, or because the person said STOP). At most one open per person.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index(
            "uq_cases_one_open",
            "conversation_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(64))  # "patient", or the staff member
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    last_patient_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_staff_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(String(20))


class PersonLabelRow(Base):
    """What staff call a person (initials, a clinic's record number) and who looks after
    them. Never in a text: nothing that words a message reads this table."""

    __tablename__ = "person_labels"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    navigator: Mapped[str] = mapped_column(String(64), default="")  # a staff username
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MilestoneRow(Base):
    """The first time a person reached a step of the journey (the program's funnel)."""

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("conversation_id", "milestone", name="uq_milestones_person_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    milestone: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SandboxRow(Base):
    """One simulated phone: its number and how far its clock is ahead of real time."""

    __tablename__ = "sandboxes"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    offset_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ForgottenMessageRow(Base):
    """The MessageSid of an inbound text whose row was erased or expired, and nothing else:
    a replayed webhook or a catch-up that meets it again changes nothing."""

    __tablename__ = "forgotten_messages"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)


class HeartbeatRow(Base):
    """When a periodic job last finished (the sweep, the catch-up), and up to when the
    inbound texts are known to be complete: the workers' health, read by /admin and
    /metrics."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
