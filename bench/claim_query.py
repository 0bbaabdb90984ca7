"""Benchmark the sweep's claim (store.reminders.claim_due) against the bare UPDATE, at two sizes.

For each table size in --sizes (default 10,000 and 1,000,000 scheduled reminders, --due
= 1,000 of them due in each), a scratch database of its own (--db + "_<size>"): migrated,
38,100 fictional conversations (+1 AAA 555 01xx), the reminders bulk-loaded with INSERT
... SELECT generate_series (all `pending`, due_at spread over the next 90 days except
exactly --due rows, one every rows/due rows through the table, already due), VACUUM
ANALYZE. Then --runs rounds; each round times, on every size, claim_due(session, now,
--batch) and the bare `UPDATE reminders SET claimed_at = %(now)s WHERE id IN (SELECT id
FROM reminders WHERE status = 'pending' AND due_at <= %(now)s AND claimed_at IS NULL
ORDER BY due_at LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id` (on the driver's own
cursor), in an order that turns every round, so the load of other processes falls on
all four alike. Each in a transaction that is rolled back, then an untimed VACUUM, so
every claim meets rows that were never updated. Prints median / p95 / min of each, the
two ratios the issue targets (claim at the largest size / at the smallest: <= 1.5;
claim / bare UPDATE at the same size: <= 1.3), the work each does on the server
(buffers and WAL, which other processes do not change) and EXPLAIN (ANALYZE, BUFFERS,
WAL) of both statements at each size. Bounded by --max-seconds (default 600; the
defaults take ~2 min); drops its databases at the end unless --keep.

    .venv/bin/python bench/claim_query.py
    .venv/bin/python bench/claim_query.py --sizes 10000 100000 --runs 20 --wait-quiet 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    MAX_FICTIONAL,
    CpuMeter,
    Deadline,
    bench_parser,
    cpu_busy,
    cpu_seconds,
    drop_database,
    fictional_phone_sql,
    fresh_database,
    machine_line,
    migrate,
    postgres_cpu_seconds,
    summary_ms,
    wait_quiet,
)
from sqlalchemy import Engine, event, text

from store.db import make_engine, make_sessions
from store.reminders import claim_due


def load_conversations(engine: Engine, conversations: int) -> None:
    """Conversations 1..C, fictional numbers, all in New York."""
    with engine.begin() as c:
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
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM (ANALYZE) conversations"))


def load_reminders(
    engine: Engine, rows: int, due: int, conversations: int, seed: float, clustered: bool = False
) -> None:
    """Row n belongs to conversation n % C + 1; every (rows // due)-th row is due (or, with
    `clustered`, the first `due` rows, so they share pages)."""
    every = 1 if clustered else rows // due  # scattered: due rows spread through the heap
    with engine.begin() as c:
        c.execute(text("SELECT setseed(:s)"), {"s": seed})
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
        c.execute(text("VACUUM (ANALYZE) reminders"))


def vacuum(engine: Engine) -> None:
    """Remove what the rolled-back claim left, so every claim meets never-updated rows."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM (INDEX_CLEANUP ON) reminders"))


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS, WAL) each statement, each in its own rolled-back transaction."""
    out: list[str] = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, WAL) " + sql, params)
            lines = (row[0] for row in cursor.fetchall())
            out.append("\n".join(x if len(x) < 200 else x[:160] + " ...}')" for x in lines))
            raw.rollback()  # each statement meets the same rows
    finally:
        raw.close()
    return out


BARE = (
    "UPDATE reminders SET claimed_at = %(now)s WHERE id IN (SELECT id FROM reminders"
    " WHERE status = 'pending' AND due_at <= %(now)s AND claimed_at IS NULL"
    " ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED) RETURNING id"
)
GROWTH_TARGET = 1.5  # claim at the largest size / at the smallest
FLOOR_TARGET = 1.3  # claim / the bare UPDATE at the same size


def empty_reminders(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(text("TRUNCATE reminders RESTART IDENTITY"))


def time_claim(engine: Engine, sessions: Any, batch: int, capture: list[Any] | None) -> float:
    """claim_due in a rolled-back transaction; its time, checked for the expected count."""
    statements: list[tuple[str, Any]] = []

    def _before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    with sessions() as session:
        session.begin()
        session.execute(text("SELECT 1"))  # the connection checkout is not the claim
        if capture is not None:
            event.listen(engine, "before_cursor_execute", _before)
        now = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        ids = claim_due(session, now, batch)
        elapsed = time.perf_counter() - t0
        if capture is not None:
            event.remove(engine, "before_cursor_execute", _before)
            capture.extend(statements)
        session.rollback()
    if len(ids) != batch:
        raise SystemExit(f"claim_due returned {len(ids)} ids, expected {batch}")
    return elapsed


def time_bare(engine: Engine, batch: int) -> float:
    """The bare UPDATE on the driver's cursor, in a rolled-back transaction."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT 1")
        now = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        cursor.execute(BARE, {"now": now, "limit": batch})
        ids = [row[0] for row in cursor.fetchall()]
        elapsed = time.perf_counter() - t0
        raw.rollback()
    finally:
        raw.close()
    if len(ids) != batch:
        raise SystemExit(f"the bare UPDATE returned {len(ids)} ids, expected {batch}")
    return elapsed


def prepare_size(args: argparse.Namespace, rows: int, deadline: Deadline) -> tuple[str, Engine]:
    """A database of its own for one size: migrated, conversations and reminders loaded."""
    name = f"{args.db}_{rows}"
    url = fresh_database(args.server, name)
    engine = make_engine(url)
    migrate(url)
    started = time.perf_counter()
    load_conversations(engine, args.conversations)
    load_reminders(engine, rows, args.due, args.conversations, 0.42, args.layout == "clustered")
    with engine.connect() as c:
        size = c.execute(text("SELECT pg_size_pretty(pg_total_relation_size('reminders'))"))
        pretty = size.scalar_one()
    print(
        f"{name}: {rows:,} scheduled reminders ({args.due:,} due, {args.layout}), loaded in "
        f"{time.perf_counter() - started:.1f} s; table with indexes {pretty}"
    )
    deadline.check("loading")
    return name, engine


def measure(
    engines: dict[int, Engine], args: argparse.Namespace, deadline: Deadline
) -> list[dict[str, Any]]:
    """Every round times, on every size, claim_due and the bare UPDATE, in an order that
    turns each round, so other processes' load falls on all four alike."""
    sessions = {rows: make_sessions(engine) for rows, engine in engines.items()}
    busy = wait_quiet(min(args.wait_quiet, deadline.left())) if args.wait_quiet else cpu_busy()
    print(f"machine {busy:.0%} busy just before the timed claims")
    meter = CpuMeter()
    meter.start()
    wall0 = time.monotonic()
    own0 = cpu_seconds(os.getpid()) + postgres_cpu_seconds()
    times: dict[tuple[int, str], list[float]] = {}
    captured: dict[int, list[tuple[str, Any]]] = {rows: [] for rows in engines}
    steps = [(rows, which) for rows in engines for which in ("claim", "bare")]
    for i in range(args.warmup + args.runs):
        deadline.check("timed claims")
        turn = i % len(steps)
        order = steps[turn:] + steps[:turn]
        if i % 2:
            order.reverse()
        for rows, which in order:
            engine = engines[rows]
            if which == "claim":
                capture = captured[rows] if i == 0 else None
                t = time_claim(engine, sessions[rows], args.batch, capture)
            else:
                t = time_bare(engine, args.batch)
            if i >= args.warmup:
                times.setdefault((rows, which), []).append(t)
            vacuum(engine)
    cores = meter.stop()
    wall = time.monotonic() - wall0
    ours = cpu_seconds(os.getpid()) + postgres_cpu_seconds() - own0
    others = max(cores * wall - ours, 0.0) / wall
    print(f"other processes used {others:.2f} cores while timing")
    results = []
    for rows, engine in engines.items():
        cl, b = summary_ms(times[(rows, "claim")]), summary_ms(times[(rows, "bare")])
        print(f"\n== {rows:,} scheduled reminders")
        print(
            f"  claim_due   median {cl['median']:6.2f} ms   p95 {cl['p95']:6.2f} ms   "
            f"min {cl['min']:6.2f} ms   (x{cl['n']:.0f})"
        )
        print(
            f"  bare UPDATE median {b['median']:6.2f} ms   p95 {b['p95']:6.2f} ms   "
            f"min {b['min']:6.2f} ms   (x{b['n']:.0f})"
        )
        now = dt.datetime.now(dt.UTC)
        shown = [*captured[rows], (BARE, {"now": now, "limit": args.batch})]
        plans = explain(engine, shown)
        for (sql, _), plan in zip(shown, plans, strict=True):
            head = " ".join(sql.split())
            cut = f"{head[:140]}{' ...' if len(head) > 140 else ''}"
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS, WAL) {cut}")
            print("    " + plan.replace("\n", "\n    "))
        results.append({"rows": rows, "claim": cl, "bare": b, "others": others, "plans": plans})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(
        __doc__, "secondopinion_bench_claim", db_help="scratch databases: this + _<size>"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="scheduled reminders"
    )
    parser.add_argument("--due", type=int, default=1_000, help="of which due now")
    parser.add_argument(
        "--layout",
        choices=["scattered", "clustered"],
        default="scattered",
        help="due rows spread one per page through the table (default), or side by side",
    )
    parser.add_argument("--conversations", type=int, default=MAX_FICTIONAL)
    parser.add_argument("--batch", type=int, default=1_000, help="claim_due limit (sweep BATCH)")
    parser.add_argument("--runs", type=int, default=40, help="timed rounds per size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--max-seconds", type=float, default=600, help="bound on the whole run")
    parser.add_argument("--wait-quiet", type=float, default=60, help="wait up to S for idle CPU")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.conversations > MAX_FICTIONAL or any(not 0 < args.due <= n for n in args.sizes):
        parser.error(f"need 0 < --due <= every size and --conversations <= {MAX_FICTIONAL}")
    if args.batch > args.due:
        parser.error("--batch must not exceed --due (each claim must find a full batch)")

    deadline = Deadline(args.max_seconds)
    print(f"machine: {machine_line()}")
    engines: dict[int, Engine] = {}
    names: list[str] = []
    try:
        for rows in sorted(set(args.sizes)):
            name, engines[rows] = prepare_size(args, rows, deadline)
            names.append(name)
        results = measure(engines, args, deadline)
    finally:
        for engine in engines.values():
            engine.dispose()
        if not args.keep:
            for name in names:
                drop_database(args.server, name)
            print(f"\ndropped {', '.join(names)}")
    return report(results)


def work(plan: str) -> str:
    """The top node's buffers and WAL, from an EXPLAIN (ANALYZE, BUFFERS, WAL) text."""
    lines = [x.strip() for x in plan.splitlines()]
    buffers = next((x for x in lines if x.startswith("Buffers:")), "Buffers: ?")
    wal = next((x for x in lines if x.startswith("WAL:")), "WAL: ?")
    return f"{buffers[len('Buffers: ') :]:<34} {wal[len('WAL: ') :]}"


def report(results: list[dict[str, Any]]) -> int:
    print("\nsize        claim median / p95     bare median / p95     claim/bare (median)")
    for r in results:
        c, b = r["claim"], r["bare"]
        print(
            f"{r['rows']:>10,}  {c['median']:7.2f} / {c['p95']:6.2f} ms  "
            f"{b['median']:7.2f} / {b['p95']:6.2f} ms  {c['median'] / b['median']:6.2f}x"
        )
    print(
        "\nwork on the server (EXPLAIN, one run):  buffers (hit, dirtied)     WAL records / bytes"
    )
    for r in results:
        for name, plan in (("claim_due", r["plans"][0]), ("bare UPDATE", r["plans"][-1])):
            print(f"{r['rows']:>10,}  {name:<12} {work(plan)}")
    ok = True
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["claim"]["median"] / small["claim"]["median"]
        growth95 = large["claim"]["p95"] / small["claim"]["p95"]
        bare_growth = large["bare"]["median"] / small["bare"]["median"]
        fastest = large["claim"]["min"] / small["claim"]["min"]
        met = growth <= GROWTH_TARGET
        ok &= met
        print(
            f"growth {small['rows']:,} -> {large['rows']:,}: claim median {growth:.2f}x "
            f"(p95 {growth95:.2f}x, fastest {fastest:.2f}x; the bare UPDATE's median "
            f"{bare_growth:.2f}x)   "
            f"target <= {GROWTH_TARGET}x: {'PASS' if met else 'FAIL'}"
        )
    worst = max(r["claim"]["median"] / r["bare"]["median"] for r in results)
    met = worst <= FLOOR_TARGET
    ok &= met
    print(
        f"claim / bare UPDATE, worst size: {worst:.2f}x   "
        f"target <= {FLOOR_TARGET}x: {'PASS' if met else 'FAIL'}"
    )
    uses_index = all("ix_reminders_pending_due" in r["plans"][0] for r in results)
    print(f"claim uses ix_reminders_pending_due at every size: {'yes' if uses_index else 'NO'}")
    return 0 if ok and uses_index else 1


if __name__ == "__main__":
    sys.exit(main())
