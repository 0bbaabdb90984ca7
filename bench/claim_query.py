"""Benchmark the sweep's claim (store.reminders.claim_due) on 1,000,000 pending reminders.

Makes a scratch PostgreSQL database, migrates it with store.migrate.upgrade, bulk-loads
conversations (fictional +1 AAA 555 01xx numbers) and reminders with INSERT ... SELECT
generate_series: all `pending`, due_at spread over the next 90 days except exactly
--due rows (scattered through the table) that are already due. Then VACUUM ANALYZE, and
--runs times: open a transaction, time claim_due(session, now, --batch), roll back.
Prints median / p95 / max, the time split between the claim's SELECT and UPDATE, and
EXPLAIN (ANALYZE, BUFFERS) of the exact statements claim_due sent. Drops the database
at the end unless --keep.

    .venv/bin/python bench/claim_query.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_PG,
    MAX_FICTIONAL,
    Deadline,
    drop_database,
    fictional_phone_sql,
    fresh_database,
    machine_line,
    migrate,
    summary_ms,
    wait_quiet,
)
from sqlalchemy import Engine, event, text

from store.db import make_engine, make_sessions
from store.reminders import claim_due

TARGET_MS = 20.0


def load(engine: Engine, rows: int, due: int, conversations: int, seed: float) -> None:
    """Conversations 1..C and reminders: row n belongs to conversation n % C + 1."""
    every = rows // due  # due rows are every `every`-th row, spread through the heap
    with engine.begin() as c:
        c.execute(text("SELECT setseed(:s)"), {"s": seed})
        c.execute(
            text(
                f"""
                INSERT INTO conversations (id, phone, language, step, status, date_deferred,
                    referral, records_done, phrase_index, timezone, created_at, updated_at,
                    enrolled_at)
                SELECT i + 1, {fictional_phone_sql("i")}, 'en', 'ready', 'active', false,
                    'not_needed', '', 0, 'America/New_York', now(), now(), now()
                FROM generate_series(0, :c - 1) AS i
                """
            ),
            {"c": conversations},
        )
        c.execute(text("SELECT setval('conversations_id_seq', :c)"), {"c": conversations})
        c.execute(
            text(
                """
                INSERT INTO reminders (conversation_id, kind, key, due_at, status, attempts,
                    created_at)
                SELECT n % :c + 1, 'phrase', 'bench:' || (n / :c)::text,
                    CASE WHEN n % :every = 0 AND n / :every < :due
                        THEN now() - interval '1 second' - random() * interval '1 hour'
                        ELSE now() + interval '1 hour' + random() * interval '90 days'
                    END,
                    'pending', 0, now()
                FROM generate_series(0, :rows - 1) AS n
                """
            ),
            {"c": conversations, "every": every, "due": due, "rows": rows},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM (ANALYZE) conversations"))
        c.execute(text("VACUUM (ANALYZE) reminders"))


def vacuum(engine: Engine) -> None:
    """Remove what the rolled-back claim left, so every claim meets never-updated rows."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM (INDEX_CLEANUP ON) reminders"))


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) each captured statement, in one rolled-back transaction."""
    out: list[str] = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = (row[0] for row in cursor.fetchall())
            out.append("\n".join(x if len(x) < 200 else x[:160] + " ...}')" for x in lines))
        raw.rollback()
    finally:
        raw.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default=DEFAULT_PG, help="PostgreSQL server URL (loopback)")
    parser.add_argument("--db", default="secondopinion_bench", help="scratch database name")
    parser.add_argument("--rows", type=int, default=1_000_000, help="pending reminders")
    parser.add_argument("--due", type=int, default=1_000, help="of which due now")
    parser.add_argument("--conversations", type=int, default=MAX_FICTIONAL)
    parser.add_argument("--batch", type=int, default=1_000, help="claim_due limit (sweep BATCH)")
    parser.add_argument("--runs", type=int, default=50, help="timed claims")
    parser.add_argument("--warmup", type=int, default=3, help="untimed claims first")
    parser.add_argument("--max-seconds", type=float, default=900, help="bound on the whole run")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="skip the untimed VACUUM after each rolled-back claim (dead versions then pile up)",
    )
    parser.add_argument("--wait-quiet", type=float, default=60, help="wait up to S for idle CPU")
    parser.add_argument("--trace", action="store_true", help="print every claim's time")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use a kept database, skip loading")
    args = parser.parse_args(argv)
    if not 0 < args.due <= args.rows or args.conversations > MAX_FICTIONAL:
        parser.error(f"need 0 < --due <= --rows and --conversations <= {MAX_FICTIONAL}")

    deadline = Deadline(args.max_seconds)
    print(f"machine: {machine_line()}")
    if args.reuse:
        url = f"{args.server.rstrip('/')}/{args.db}"
    else:
        url = fresh_database(args.server, args.db)
    engine = make_engine(url)
    try:
        if not args.reuse:
            migrate(url)
            started = time.perf_counter()
            load(engine, args.rows, args.due, args.conversations, 0.42)
            print(
                f"loaded {args.rows:,} reminders ({args.due:,} due) over "
                f"{args.conversations:,} conversations in {time.perf_counter() - started:.1f} s"
            )
        with engine.connect() as c:
            size = c.execute(text("SELECT pg_size_pretty(pg_total_relation_size('reminders'))"))
            print(f"reminders table with indexes: {size.scalar_one()}")
        deadline.check("loading")
        if args.wait_quiet:
            busy = wait_quiet(min(args.wait_quiet, deadline.left()))
            print(f"machine {busy:.0%} busy just before the timed claims")
        result = bench(engine, args, deadline)
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(args.server, args.db)
            print(f"dropped database {args.db}")
    return result


def bench(engine: Engine, args: argparse.Namespace, deadline: Deadline) -> int:
    sessions = make_sessions(engine)
    captured: list[tuple[str, Any]] = []
    flags = {"capture": False}
    split: dict[str, float] = {}
    marks: dict[str, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        marks["t"] = time.perf_counter()
        if flags["capture"]:
            captured.append((statement, params))

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        kind = statement.lstrip().split(None, 1)[0].upper()
        split[kind] = split.get(kind, 0.0) + time.perf_counter() - marks["t"]

    samples: list[float] = []
    per_kind: dict[str, list[float]] = {"SELECT": [], "UPDATE": [], "WITH": []}  # WITH: PG claim
    for i in range(args.warmup + args.runs):
        deadline.check("timed claims")
        split.clear()
        with sessions() as session:
            session.begin()
            session.execute(text("SELECT 1"))  # the connection checkout is not the claim
            split.clear()
            now = dt.datetime.now(dt.UTC)
            flags["capture"] = i == 0
            t0 = time.perf_counter()
            ids = claim_due(session, now, args.batch)
            elapsed = time.perf_counter() - t0
            flags["capture"] = False
            session.rollback()
        if not args.no_vacuum:
            vacuum(engine)
        if len(ids) != min(args.batch, args.due):
            raise SystemExit(f"claim_due returned {len(ids)} ids, expected {args.batch}")
        if args.trace:
            select_ms, update_ms = split.get("SELECT", 0) * 1000, split.get("UPDATE", 0) * 1000
            print(
                f"  claim {i:3d}: {elapsed * 1000:6.2f} ms  "
                f"(select {select_ms:.2f}, update {update_ms:.2f})"
            )
        if i >= args.warmup:
            samples.append(elapsed)
            for kind in per_kind:
                per_kind[kind].append(split.get(kind, 0.0))
        elif i == 0:
            print(f"first (cold) claim: {elapsed * 1000:.1f} ms")

    s = summary_ms(samples)
    print(
        f"\nclaim_due(limit={args.batch}) x{s['n']:.0f} (after {args.warmup} warm-up), "
        f"each in a rolled-back transaction:"
    )
    print(
        f"  median {s['median']:.2f} ms   p95 {s['p95']:.2f} ms   max {s['max']:.2f} ms   "
        f"min {s['min']:.2f} ms"
    )
    for kind, values in per_kind.items():
        if not any(values):  # claim_due sent no statement of this kind
            continue
        k = summary_ms(values)
        print(f"  {kind:<6} median {k['median']:.2f} ms   p95 {k['p95']:.2f} ms")
    verdict = "PASS" if s["p95"] < TARGET_MS else "FAIL"
    print(f"  target p95 < {TARGET_MS:.0f} ms: {verdict}")

    plans = explain(engine, captured)
    for (sql, _), plan in zip(captured, plans, strict=True):
        head = " ".join(sql.split())
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) {head[:150]}{' ...' if len(head) > 150 else ''}")
        print(plan)
    uses_index = "ix_reminders_pending_due" in plans[0]
    print(f"\nclaim SELECT uses ix_reminders_pending_due: {'yes' if uses_index else 'NO'}")
    return 0 if uses_index else 1


if __name__ == "__main__":
    sys.exit(main())
