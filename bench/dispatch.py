"""Benchmark reminder sending end to end: beat -> sweep -> Celery worker -> fake Twilio.

For each --concurrency level: empty the scratch database, seed --reminders enrolled,
consenting people (fictional +1 AAA 555 01xx numbers, 100 per area code) each with one
reminder due 5 s ago in a zone where it is early afternoon, flush a dedicated Redis
database, then start ONE `celery -A workers worker --pool threads --concurrency N` and
ONE `celery -A workers beat` (environment as tests/test_worker_processes.py service_env,
with a short sweep interval and a high send rate) against a fake Twilio running as its
own process (`python -m twilio_double`). Waits until every reminder is `sent` (or
the level's time limit), stops the worker and beat, and reads what the fake received.

Reports reminders per second from the first message the fake received to the last
(N-th), the time from starting the processes to the last message, the CPU each process
used, and whether every number received exactly one message. Drops the database and
flushes the Redis database at the end.

    .venv/bin/python bench/dispatch.py                      # concurrency 4, 8, 16
    .venv/bin/python bench/dispatch.py --concurrency 8 --reminders 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redis
from _common import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    DEFAULT_PG,
    DEFAULT_REDIS,
    PUBLIC_BASE_URL,
    ROOT,
    SENDER_NUMBER,
    CpuMeter,
    cpu_seconds,
    daytime_zone,
    drop_database,
    empty_tables,
    fictional_phone,
    fresh_database,
    machine_line,
    migrate,
    postgres_cpu_seconds,
    require_loopback,
    tree_cpu_seconds,
    wait_quiet,
)
from sqlalchemy import Engine, func, select, text

from store.db import make_engine
from store.models import ConsentEventRow, ConversationRow, ReminderRow
from twilio_double import RemoteFakeTwilio

TARGET_PER_SECOND = 300.0
TERMINAL = ("sent", "failed", "cancelled", "skipped")


# -- processes ------------------------------------------------------------------------


class Child:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.log = logdir / f"{name}.log"
        self._file = self.log.open("ab")
        self.process = subprocess.Popen(
            args,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._file.close()


def start_fake(logdir: Path) -> tuple[subprocess.Popen[str], str]:
    """`python -m twilio_double --port 0`; its first line is its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twilio_double",
            "--port",
            "0",
            "--account-sid",
            ACCOUNT_SID,
            "--auth-token",
            AUTH_TOKEN,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=(logdir / "fake_twilio.log").open("ab"),
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise SystemExit(f"fake Twilio did not start (printed {base_url!r})")
    return process, base_url


# -- data -----------------------------------------------------------------------------


def seed(engine: Engine, phones: list[str], due: dt.datetime, zone: str) -> None:
    """As tests.processes.seed_due_reminders, in three multi-row inserts instead of 3N."""
    ids = range(1, len(phones) + 1)
    with engine.begin() as c:
        c.execute(
            ConversationRow.__table__.insert(),
            [
                {
                    "id": i,
                    "phone": phone,
                    "language": "en",
                    "step": "ready",
                    "status": "active",
                    "date_deferred": False,
                    "referral": "not_needed",
                    "records_done": "",
                    "phrase_index": 0,
                    "timezone": zone,
                    "created_at": due,
                    "updated_at": due,
                    "enrolled_at": due,
                }
                for i, phone in zip(ids, phones, strict=True)
            ],
        )
        c.execute(text("SELECT setval('conversations_id_seq', :n)"), {"n": len(phones)})
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
                    "at": due,
                }
                for i, phone in zip(ids, phones, strict=True)
            ],
        )
        c.execute(
            ReminderRow.__table__.insert(),
            [
                {
                    "conversation_id": i,
                    "kind": "phrase",
                    "key": f"phrase:seeded:{phone}",
                    "due_at": due,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": due,
                }
                for i, phone in zip(ids, phones, strict=True)
            ],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))


def counts(engine: Engine) -> Counter[str]:
    with engine.connect() as c:
        rows = c.execute(select(ReminderRow.status, func.count()).group_by(ReminderRow.status))
        return Counter({status: n for status, n in rows})


def start_profiler(args: argparse.Namespace, pid: int, level_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            args.py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(args.profile_seconds),
            "--rate",
            "200",
            "--gil",
            "--format",
            "raw",
            "--output",
            str(level_dir / "worker-profile.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# -- where the worker's time goes (with --py-spy) ------------------------------------

BUCKETS = (
    ("send_reminders: prepare (phase 1, DB only)", "prepare (workers/dispatch.py"),
    ("send_reminders: deliver (phase 2)", "deliver (workers/deliver.py"),
    ("  deliver -> Twilio client (send_sms)", "send_sms (workers/sender.py"),
    ("  deliver -> rate limiter (Redis)", "acquire (workers/ratelimit.py"),
    ("sweep (claim + batched publish)", "sweep (workers/sweep.py"),
    ("any SQLAlchemy ORM/Core frame", "sqlalchemy/"),
    ("any psycopg frame", "psycopg/"),
    ("any logging frame", "logging/__init__.py"),
)


def summarise_profile(path: Path) -> list[tuple[str, float]]:
    """Inclusive share of GIL-holding samples per bucket, from py-spy's raw output."""
    total = 0
    hits = Counter[str]()
    if not path.exists():
        return []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        for name, needle in BUCKETS:
            if needle in stack:
                hits[name] += n
    if not total:
        return []
    shares = [(name, hits[name] / total) for name, _ in BUCKETS]
    task = hits[BUCKETS[0][0]] + hits[BUCKETS[1][0]] + hits[BUCKETS[4][0]]
    shares.append(("everything else (Celery, kombu, threads)", 1 - task / total))
    return shares


# -- one level --------------------------------------------------------------------------


def run_level(
    args: argparse.Namespace,
    engine: Engine,
    db_url: str,
    fake: RemoteFakeTwilio,
    concurrency: int,
    logdir: Path,
) -> dict[str, Any]:
    phones = [fictional_phone(i) for i in range(args.reminders)]
    empty_tables(engine)
    now = dt.datetime.now(dt.UTC)
    seed(engine, phones, now - dt.timedelta(seconds=5), daytime_zone(now))
    redis.Redis.from_url(args.redis).flushdb()
    fake.reset()
    if args.wait_quiet:
        wait_quiet(args.wait_quiet)

    env = {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "REDIS_URL": args.redis,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SENDER_NUMBER,
        "PROGRAM_ORG": "the Patient Navigation Team",
        "PROGRAM_CONTACT": "(212) 555-0199",
        "PROGRAM_ORG_ES": "el Equipo de Navegación de Pacientes",
        "PROGRAM_CONTACT_ES": "(212) 555-0199",
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SWEEP_INTERVAL_SECONDS": str(args.sweep_interval),
        "STALE_AFTER_SECONDS": "120",
        "SEND_RATE_PER_SECOND": str(args.rate),
        "TWILIO_TIMEOUT_SECONDS": "10",
    }
    celery = [sys.executable, "-m", "celery", "-A", "workers"]
    level_dir = logdir / f"c{concurrency}"
    level_dir.mkdir()
    meter = CpuMeter()
    pg_cpu0 = postgres_cpu_seconds()
    fake_cpu0 = cpu_seconds(args.fake_pid)
    meter.start()
    started = time.monotonic()
    worker = Child(
        "worker",
        [
            *celery,
            "worker",
            "--pool",
            args.pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            args.loglevel,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        level_dir,
    )
    beat = Child(
        "beat",
        [
            *celery,
            "beat",
            "--loglevel",
            args.loglevel,
            "--schedule",
            str(level_dir / "beat-schedule"),
        ],
        env,
        level_dir,
    )
    spy: subprocess.Popen[bytes] | None = None
    done = False
    last: Counter[str] = Counter()
    try:
        deadline = started + args.level_timeout
        while time.monotonic() < deadline:
            last = counts(engine)
            if sum(last[s] for s in TERMINAL) >= args.reminders:
                done = True
                break
            if args.py_spy and spy is None and last["sent"] > 0:
                spy = start_profiler(args, worker.pid, level_dir)  # steady state, not start-up
            if worker.process.poll() is not None or beat.process.poll() is not None:
                raise SystemExit(f"a celery process exited early: see {level_dir}")
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        worker_cpu, beat_cpu = tree_cpu_seconds(worker.pid), cpu_seconds(beat.pid)
        pg_cpu = postgres_cpu_seconds() - pg_cpu0
        fake_cpu = cpu_seconds(args.fake_pid) - fake_cpu0
        machine_cores = meter.stop()
        ours = worker_cpu + beat_cpu + fake_cpu + pg_cpu + cpu_seconds(os.getpid())
        others = machine_cores * elapsed - ours
    finally:
        if spy is not None:
            spy.wait(timeout=args.profile_seconds + 30)
        worker.stop()
        beat.stop()

    messages = fake.messages
    received = Counter(m["to"] for m in messages)
    times = sorted(dt.datetime.fromisoformat(m["received_at"]) for m in messages)
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    twice = sorted(p for p, n in received.items() if n > 1)
    missing = sorted(set(phones) - set(received))
    rate = (len(times) - 1) / span if span > 0 else 0.0
    return {
        "concurrency": concurrency,
        "done": done,
        "sent": last["sent"],
        "received": len(messages),
        "rate": rate,
        "span": span,
        "start_to_last": elapsed,
        "once_each": not twice and not missing and len(messages) == len(phones),
        "twice": len(twice),
        "missing": len(missing),
        "worker_cpu": worker_cpu,
        "beat_cpu": beat_cpu,
        "fake_cpu": fake_cpu,
        "pg_cpu": pg_cpu,
        "machine_cores": machine_cores,
        "others_cores": max(others, 0.0) / elapsed,
        "statuses": dict(last),
        "logs": str(level_dir),
        "profile": summarise_profile(level_dir / "worker-profile.txt") if spy else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default=DEFAULT_PG, help="PostgreSQL server URL (loopback)")
    parser.add_argument("--db", default="secondopinion_bench_dispatch")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="a Redis db of its own: FLUSHED")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument(
        "--pool", default="threads", help="celery worker --pool (the brief: threads)"
    )
    parser.add_argument("--rate", type=float, default=100_000, help="SEND_RATE_PER_SECOND")
    parser.add_argument("--sweep-interval", type=float, default=0.5)
    parser.add_argument("--loglevel", default="INFO", help="worker/beat log level (Procfile: INFO)")
    parser.add_argument("--level-timeout", type=float, default=480, help="seconds per level")
    parser.add_argument(
        "--wait-quiet", type=float, default=60, help="wait up to S for an idle CPU per level"
    )
    parser.add_argument("--py-spy", help="path to py-spy: profile the worker (GIL samples)")
    parser.add_argument("--profile-seconds", type=int, default=20)
    parser.add_argument("--logs", help="keep the processes' logs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    require_loopback(args.redis)
    if args.redis.rstrip("/").endswith(("/0", ":6379")):
        parser.error("give --redis a dedicated database number, e.g. redis://127.0.0.1:6379/14")

    print(f"machine: {machine_line()}")
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="bench-dispatch-"))
    logdir.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(args.server, args.db)
    engine = make_engine(db_url)
    fake_process, base_url = start_fake(logdir)
    args.fake_pid = fake_process.pid
    results = []
    try:
        migrate(db_url)
        fake = RemoteFakeTwilio(base_url, timeout=60)
        for concurrency in args.concurrency:
            result = run_level(args, engine, db_url, fake, concurrency, logdir)
            results.append(result)
            print(
                f"concurrency {concurrency:>2}: {result['rate']:7.1f} reminders/s "
                f"({result['received']:,} in {result['span']:.1f} s first->last; "
                f"{result['start_to_last']:.1f} s from process start)  "
                f"exactly once: {'yes' if result['once_each'] else 'NO'}"
                + ("" if result["done"] else f"  TIMED OUT {result['statuses']}")
            )
            print(
                f"    CPU s: worker {result['worker_cpu']:.1f}, beat {result['beat_cpu']:.1f}, "
                f"fake Twilio {result['fake_cpu']:.1f}, postgres {result['pg_cpu']:.1f}; "
                f"machine {result['machine_cores']:.2f} of 2 cores busy "
                f"({result['others_cores']:.2f} by other processes)"
            )
            for name, share in result["profile"] or []:
                print(f"    worker GIL time {share:6.1%}  {name}")
            if result["twice"] or result["missing"]:
                print(f"    {result['twice']} numbers got 2+, {result['missing']} got none")
    finally:
        engine.dispose()
        os.killpg(fake_process.pid, signal.SIGTERM)
        fake_process.wait(timeout=10)
        redis.Redis.from_url(args.redis).flushdb()
        if not args.keep:
            drop_database(args.server, args.db)
    print(f"logs: {logdir}")
    best = max((r["rate"] for r in results), default=0.0)
    ok = all(r["once_each"] and r["done"] for r in results)
    print(f"target >= {TARGET_PER_SECOND:.0f}/s: {'PASS' if best >= TARGET_PER_SECOND else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
