"""Rows the benchmarks start from (enrolled people who said yes at the ready step, and
their due reminders, as the service would have written them, in multi-row inserts), and
what became of the reminders.

Nothing here is imported by the service.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, func, select, text

from store.models import ConsentEventRow, ConversationRow, ReminderRow


def seed_people(
    c: Connection,
    phones: Sequence[str],
    made: dt.datetime,
    zones: Sequence[str],
    visit: dt.date | None = None,
) -> None:
    """One person per number (ids 1..n, zones taken in turn), enrolled at `made` with an
    opt-in in the consent ledger; `visit`: their appointment, if any."""
    people = list(enumerate(phones, start=1))
    c.execute(
        ConversationRow.__table__.insert(),
        [
            {
                "id": i,
                "phone": phone,
                "language": "en",
                "step": "ready",
                "status": "active",
                "appointment": visit,
                "date_deferred": False,
                "referral": "not_needed",
                "records_done": "",
                "phrase_index": 0,
                "timezone": zones[i % len(zones)],
                "created_at": made,
                "updated_at": made,
                "enrolled_at": made,
            }
            for i, phone in people
        ],
    )
    c.execute(text("SELECT setval('conversations_id_seq', :n)"), {"n": len(people)})
    c.execute(
        ConsentEventRow.__table__.insert(),
        [
            {
                "conversation_id": i,
                "phone": phone,
                "kind": "opt_in",
                "channel": "sms",
                "words": "SECOND",
                "shown_text": "(seeded)",
                "at": made,
            }
            for i, phone in people
        ],
    )


def seed_reminders(c: Connection, count: int, due: dt.datetime, made: dt.datetime) -> None:
    """One `phrase` reminder due at `due` for each of people 1..count."""
    c.execute(
        ReminderRow.__table__.insert(),
        [
            {
                "conversation_id": i,
                "kind": "phrase",
                "key": f"phrase:seeded:{i}",
                "due_at": due,
                "status": "pending",
                "attempts": 0,
                "created_at": made,
            }
            for i in range(1, count + 1)
        ],
    )


def analyze(engine: Engine) -> None:
    """Fresh statistics, so the planner sees the seeded rows."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))


def counts(engine: Engine) -> Counter[str]:
    """How many reminders are in each status (the benchmarks wait for them to be sent)."""
    with engine.connect() as c:
        rows = c.execute(select(ReminderRow.status, func.count()).group_by(ReminderRow.status))
        return Counter({status: n for status, n in rows})
