"""Benchmark memory: does a web process or a worker grow as it serves?

web     gunicorn as the Procfile runs it (`gunicorn --config gunicorn.conf.py --workers 2
        'webhooks:create_app()'`, gthread workers), bound to a free 127.0.0.1 port, on a
        scratch database of --people enrolled, consenting people (fictional +1 AAA 555 01xx
        numbers). --requests Twilio-signed POSTs to /twilio/sms (PHRASES, RECORDS or
        DONE n from a random person, each with its own MessageSid) from --connections
        keep-alive clients (Python threads on http.client). Every --requests/20 requests,
        the RSS of each gunicorn worker is read from /proc.
worker  ONE `celery -A workers worker --pool threads --concurrency 8 --loglevel INFO` and
        ONE beat (sweep every 0.5 s, no rate limit) against a fake Twilio in its own
        process: --sends reminders in rounds of --round (the tables emptied and fresh
        people seeded each round, so no person meets the daily caps; the fake emptied too),
        the worker's RSS sampled every 0.5 s against the number sent so far.

Reports the curve (a table: RSS at each step), and the growth after warm-up: RSS at the
end against RSS once --warmup (share, default 10 %) of the work is done. Target: < 10 %.
--quick runs 20,000 requests and 20,000 sends (~3 min on a quiet machine); the defaults
(100,000 each) take ~15 min. Bounded by --max-seconds per part (default 1200); drops its
database, flushes its Redis db, stops every child it started.

    .venv/bin/python bench/memory.py --quick
    .venv/bin/python bench/memory.py --parts worker --sends 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redis
from _common import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MAX_FICTIONAL,
    PUBLIC_BASE_URL,
    ROOT,
    SENDER_NUMBER,
    Deadline,
    bench_parser,
    children_of,
    daytime_zone,
    drop_database,
    empty_tables,
    fictional_phone,
    fresh_database,
    machine_line,
    migrate,
    redis_db,
    require_loopback,
    wait_quiet,
)
from _procs import (
    Child,
    rss_kib,
    service_env,
    start_beat,
    start_fake,
    start_worker,
    stop_fake,
)
from seeding import analyze, seed_people, seed_reminders
from signed import PATH, Signed, signed_requests
from sqlalchemy import Engine, func, select

from store.db import make_engine
from store.models import ReminderRow
from twilio_double import RemoteFakeTwilio

TARGET = 0.10


# -- data -----------------------------------------------------------------------------


def seed(engine: Engine, count: int, now: dt.datetime, zone: str, due: dt.datetime | None) -> None:
    """`count` enrolled people at the ready step who said yes, visit in 30 days; with `due`,
    one reminder each, due then."""
    phones = [fictional_phone(i) for i in range(count)]
    made = now - dt.timedelta(days=1)
    with engine.begin() as c:
        seed_people(c, phones, made, [zone], visit=(now + dt.timedelta(days=30)).date())
        if due is not None:
            seed_reminders(c, count, due, made)
    analyze(engine)


def curve(
    samples: list[tuple[int, list[int]]], total: int, steps: int
) -> list[tuple[int, list[int]]]:
    """The first sample at or past each of `steps` evenly spaced counts (and the last)."""
    marks = [total * k // steps for k in range(1, steps + 1)]
    out: list[tuple[int, list[int]]] = []
    for mark in marks:
        hit = next((s for s in samples if s[0] >= mark), None)
        if hit is not None and (not out or hit[0] != out[-1][0]):
            out.append(hit)
    return out


def growth(samples: list[tuple[int, list[int]]], total: int, warmup: float) -> list[float]:
    """Per process: RSS at the end / RSS at the first sample past the warm-up, minus 1."""
    warm = next((s for s in samples if s[0] >= total * warmup), samples[0])
    end = samples[-1]
    return [e / w - 1 if w else float("nan") for w, e in zip(warm[1], end[1], strict=True)]


def show(
    title: str,
    unit: str,
    names: list[str],
    samples: list[tuple[int, list[int]]],
    total: int,
    warmup: float,
) -> bool:
    print(f"\n== {title}")
    print(f"   {unit:>9}  " + "  ".join(f"{n:>12}" for n in names))
    first = samples[0]
    print(f"   {first[0]:>9,}  " + "  ".join(f"{v / 1024:9.1f} MiB" for v in first[1]))
    for count, values in curve(samples, total, 10):
        print(f"   {count:>9,}  " + "  ".join(f"{v / 1024:9.1f} MiB" for v in values))
    rise = growth(samples, total, warmup)
    warm_at = next((s[0] for s in samples if s[0] >= total * warmup), 0)
    worst = max(rise)
    print(
        f"   growth after warm-up ({warm_at:,} {unit} -> {samples[-1][0]:,}): "
        + ", ".join(f"{n} {g:+.1%}" for n, g in zip(names, rise, strict=True))
        + f"   target < {TARGET:.0%}: {'PASS' if worst < TARGET else 'FAIL'}"
    )
    return worst < TARGET


# -- web ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Driver:
    """Keep-alive clients sending the signed requests in order; counts what came back."""

    def __init__(self, port: int, reqs: list[Signed], connections: int) -> None:
        self.port, self.reqs, self.connections = port, reqs, connections
        self.next = 0
        self.done = 0
        self.status: Counter[int] = Counter()
        self.lock = threading.Lock()

    def _take(self) -> tuple[str, str] | None:
        with self.lock:
            if self.next >= len(self.reqs):
                return None
            self.next += 1
            return self.reqs[self.next - 1]

    def _client(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (req := self._take()) is not None:
            signature, body = req
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            }
            for _ in range(2):  # a keep-alive connection the server closed: reopen once
                try:
                    conn.request("POST", PATH, body, headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    status = 0
            with self.lock:
                self.done += 1
                self.status[status] += 1
        conn.close()

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._client, daemon=True) for _ in range(self.connections)
        ]
        for t in threads:
            t.start()
        return threads


def web(args: argparse.Namespace, db_url: str, logdir: Path) -> bool:
    engine = make_engine(db_url)
    now = dt.datetime.now(dt.UTC)
    empty_tables(engine)
    seed(engine, args.people, now, daytime_zone(now), None)
    engine.dispose()
    print(f"\nsigning {args.requests:,} requests ...", flush=True)
    reqs = signed_requests(args.requests, args.people, 14)
    if args.wait_quiet:
        wait_quiet(args.wait_quiet)
    port = free_port()
    env = {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "REDIS_URL": args.redis,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_FROM_NUMBER": SENDER_NUMBER,
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # nothing: the webhook only answers TwiML
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "PROGRAM_ORG": "the Patient Navigation Team",
        "PROGRAM_CONTACT": "(212) 555-0199",
        "PROGRAM_ORG_ES": "el Equipo de Navegación de Pacientes",
        "PROGRAM_CONTACT_ES": "(212) 555-0199",
    }
    server = Child(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--workers",
            str(args.web_workers),
            "--bind",
            f"127.0.0.1:{port}",
            "webhooks:create_app()",
        ],
        env,
        logdir,
    )
    deadline = Deadline(args.max_seconds)
    try:
        while len(children_of(server.pid)) < args.web_workers or not _listening(port):
            if not server.alive():
                raise SystemExit(f"gunicorn exited: see {server.log}")
            deadline.check("gunicorn start")
            time.sleep(0.2)
        pids = children_of(server.pid)
        names = [f"worker {k + 1}" for k in range(len(pids))] + ["master"]
        driver = Driver(port, reqs, args.connections)
        samples: list[tuple[int, list[int]]] = [(0, [rss_kib(p) for p in [*pids, server.pid]])]
        every = max(args.requests // 100, 1)
        started = time.monotonic()
        threads = driver.start()
        mark = every
        while any(t.is_alive() for t in threads):
            if driver.done >= mark:
                samples.append((driver.done, [rss_kib(p) for p in [*pids, server.pid]]))
                mark += every
            if children_of(server.pid) != pids:
                print("warning: gunicorn replaced a worker; the curve follows the old ids")
                pids = children_of(server.pid) or pids
            if deadline.left() <= 0:
                raise SystemExit(f"web part exceeded {args.max_seconds:.0f} s")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        samples.append((driver.done, [rss_kib(p) for p in [*pids, server.pid]]))
    finally:
        server.stop()
    ok = set(driver.status) == {200}
    print(
        f"\n{driver.done:,} requests in {elapsed:.0f} s ({driver.done / elapsed:.0f}/s), "
        f"statuses {dict(driver.status)}"
    )
    return (
        show(
            f"web: gunicorn --workers {args.web_workers} (gthread), RSS per process",
            "requests",
            names,
            samples,
            args.requests,
            args.warmup,
        )
        and ok
    )


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# -- worker ---------------------------------------------------------------------------


def finished(engine: Engine) -> int:
    """Reminders past sending (sent, or failed, cancelled, skipped)."""
    with engine.connect() as c:
        rows = dict(
            c.execute(select(ReminderRow.status, func.count()).group_by(ReminderRow.status)).all()
        )
    return sum(
        n for status, n in rows.items() if status in ("sent", "failed", "cancelled", "skipped")
    )


def worker(args: argparse.Namespace, db_url: str, logdir: Path) -> bool:
    engine = make_engine(db_url)
    fake_process, base_url = start_fake(logdir)
    fake = RemoteFakeTwilio(base_url, timeout=60)
    env = service_env(db_url, args.redis, base_url, 0.5, 100_000)
    empty_tables(engine)
    redis.Redis.from_url(args.redis).flushdb()
    if args.wait_quiet:
        wait_quiet(args.wait_quiet)
    deadline = Deadline(args.max_seconds)
    celery = start_worker(env, logdir)
    beat = start_beat(env, logdir)
    samples: list[tuple[int, list[int]]] = []
    before = 0
    started = time.monotonic()
    try:
        rounds = -(-args.sends // args.round)
        for k in range(rounds):
            size = min(args.round, args.sends - before)
            empty_tables(engine)
            fake.reset()
            now = dt.datetime.now(dt.UTC)
            seed(engine, size, now, daytime_zone(now), now - dt.timedelta(seconds=1))
            if not samples:
                samples.append((0, [rss_kib(celery.pid), rss_kib(beat.pid)]))
            while True:
                done = finished(engine)
                samples.append((before + done, [rss_kib(celery.pid), rss_kib(beat.pid)]))
                if done >= size:
                    break
                if not (celery.alive() and beat.alive()):
                    raise SystemExit(f"a celery process exited early: see {logdir}")
                deadline.check(f"round {k + 1} of the worker part")
                time.sleep(0.5)
            if len(fake.messages) != size:
                print(f"warning: round {k + 1}: the fake received {len(fake.messages)} of {size}")
            before += size
        elapsed = time.monotonic() - started
    finally:
        celery.stop()
        beat.stop()
        stop_fake(fake_process)
        engine.dispose()
    print(
        f"\n{before:,} sends in {elapsed:.0f} s ({before / elapsed:.0f}/s), "
        f"rounds of {args.round:,}"
    )
    return show(
        "worker: celery worker --pool threads --concurrency 8 (+ beat), RSS",
        "sends",
        ["worker", "beat"],
        samples,
        args.sends,
        args.warmup,
    )


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "secondopinion_bench_memory", redis=redis_db(12))
    parser.add_argument("--parts", nargs="+", choices=["web", "worker"], default=["web", "worker"])
    parser.add_argument("--requests", type=int, default=100_000, help="web: signed POSTs")
    parser.add_argument("--people", type=int, default=20_000, help="web: seeded people")
    parser.add_argument("--connections", type=int, default=8, help="web: keep-alive clients")
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn --workers (Procfile: 2)"
    )
    parser.add_argument("--sends", type=int, default=100_000, help="worker: reminders sent")
    parser.add_argument("--round", type=int, default=10_000, help="worker: reminders per round")
    parser.add_argument(
        "--warmup", type=float, default=0.10, help="share of the work that warms up"
    )
    parser.add_argument("--quick", action="store_true", help="20,000 requests and 20,000 sends")
    parser.add_argument("--max-seconds", type=float, default=1200, help="bound on each part")
    parser.add_argument("--wait-quiet", type=float, default=60, help="wait up to S for idle CPU")
    parser.add_argument("--logs", help="keep the processes' logs here (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.sends = 20_000, 20_000
    require_loopback(args.redis)
    if args.redis.rstrip("/").endswith(("/0", ":6379")):
        parser.error("give --redis a dedicated database number, e.g. redis://127.0.0.1:6379/12")
    if args.people > MAX_FICTIONAL or args.round > MAX_FICTIONAL:
        parser.error(f"at most {MAX_FICTIONAL} fictional people")

    print(f"machine: {machine_line()}")
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="bench-memory-"))
    logdir.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(args.server, args.db)
    ok = True
    try:
        migrate(db_url)
        if "web" in args.parts:
            ok &= web(args, db_url, logdir)
        if "worker" in args.parts:
            ok &= worker(args, db_url, logdir)
    finally:
        redis.Redis.from_url(args.redis).flushdb()
        drop_database(args.server, args.db)
    print(f"\nlogs: {logdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
