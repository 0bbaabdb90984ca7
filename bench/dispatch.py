"""Benchmark reminder sending end to end against the twilio client's own ceiling.

Every setup sends --reminders texts (default 10,000) to one fake Twilio running as its own
process (`python -m twilio_double`), one text per fictional number (+1 AAA 555 01xx), and
checks that every number got exactly one. Setups (`--setups`, all by default, in order):

  ceiling    the official twilio client ALONE: one process, --ceiling-threads threads
             (default 8) calling `client.messages.create` with the worker's arguments
             (same from, body length, validity period and status callback), no database,
             no Celery. The floor every other figure is divided by.
  one        one worker process as in the Procfile (`--pool threads --concurrency 8`)
             and one beat: beat -> sweep -> Celery -> prepare -> deliver -> fake Twilio.
             Target: >= 0.7x the ceiling.
  two        two such worker processes (two cores), one beat. Target: >= 1.7x `one`.
  prefork    one worker with `--pool prefork --concurrency 2`, one beat. Against 2x the
             ceiling (and beside `ceiling2`).
  beats2     `one` with two beats racing for the same reminders. Target: not slower than
             `one` (>= 0.9x its rate, to allow for noise), and still exactly once.
  ceiling2   two ceiling processes at once: what two cores give the client alone here.

For each product setup: empty the scratch database, seed the people (enrolled, consenting,
one `phrase` reminder each, due 5 s ago in a zone where it is early afternoon), flush the
Redis db, start the processes, wait until every reminder is `sent`, stop them. Rates are
(N - 1) / (time of the N-th text at the fake - time of the first). CPU per text is given for
the worker(s), the beat(s), the fake Twilio and PostgreSQL, and the load other processes
put on the machine meanwhile (cores).

Time: 15-35 s per setup at 10,000 texts on two cores, plus ~5 s of seeding and up to
--wait-quiet (default 60 s) waiting for an idle machine before each: about 3-4 minutes for
the six on a quiet machine, up to 8-10 on a busy one; each setup gives up after
--level-timeout (default 240 s). --rounds N runs them all N times in turn and judges each
ratio on its median round. `--reminders 2000 --wait-quiet 0` takes about a minute.

    .venv/bin/python bench/dispatch.py                       # all setups, 10,000 each
    .venv/bin/python bench/dispatch.py --setups ceiling one --reminders 3000 --wait-quiet 0
    .venv/bin/python bench/dispatch.py --setups one --py-spy .venv/bin/py-spy

Drops the scratch database, flushes the Redis db and stops every child at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redis
from _common import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    DEFAULT_REDIS,
    PUBLIC_BASE_URL,
    ROOT,
    SENDER_NUMBER,
    CpuMeter,
    bench_parser,
    cpu_seconds,
    daytime_zone,
    drop_database,
    empty_tables,
    fictional_phone,
    fresh_database,
    machine_line,
    migrate,
    require_loopback,
    tree_cpu_seconds,
    wait_quiet,
)
from _procs import CELERY, Child, service_env, start_fake, stop_fake
from seeding import analyze, counts, seed_people, seed_reminders
from sqlalchemy import Engine

from store.db import make_engine
from twilio_double import RemoteFakeTwilio

TERMINAL = ("sent", "failed", "cancelled", "skipped")
SETUPS = ("ceiling", "one", "two", "prefork", "beats2", "ceiling2")
TARGET_VS_CEILING = 0.7
TARGET_TWO_VS_ONE = 1.7
TARGET_BEATS = 0.9
# A body as long as a phrase reminder's (the ceiling sends it; the worker sends its own).
CEILING_BODY = (
    "Second Opinion: a phrase to say at your visit, if it helps: 'Could we go over the "
    "other options together?' Reply STOP to end texts, HELP for help."
)


@dataclasses.dataclass(frozen=True)
class Setup:
    name: str
    workers: tuple[tuple[str, int], ...] = ()  # (pool, concurrency) per worker process
    beats: int = 1
    ceilings: int = 0  # client-only processes instead of workers

    @property
    def label(self) -> str:
        if self.ceilings:
            return f"client alone, {self.ceilings} process(es)"
        pools = " + ".join(f"{pool} x{n}" for pool, n in self.workers)
        return f"{len(self.workers)} worker(s) [{pools}], {self.beats} beat(s)"


def setups(args: argparse.Namespace) -> dict[str, Setup]:
    worker = ("threads", args.concurrency)
    return {
        "ceiling": Setup("ceiling", ceilings=1),
        "one": Setup("one", (worker,)),
        "two": Setup("two", (worker, worker)),
        "prefork": Setup("prefork", (("prefork", 2),)),
        "beats2": Setup("beats2", (worker,), beats=2),
        "ceiling2": Setup("ceiling2", ceilings=2),
    }


# -- processes ------------------------------------------------------------------------


def our_postgres_cpu_seconds(db: str) -> float:
    """PostgreSQL's CPU for this benchmark: the backends (and autovacuum) working on `db`;
    the server's shared processes (WAL writer, checkpointer) and other databases' are not
    counted here (they show in the machine's load)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # "postgres: USER DB HOST(PORT) STATE", "postgres: autovacuum worker DB"
        if f" {db} " in f"{title} ":
            total += cpu_seconds(int(entry.name))
    return total


# -- the client alone -------------------------------------------------------------------


def ceiling_child(argv: list[str]) -> int:
    """Run in its own process: send one text to each number with the official client alone,
    from `threads` threads; print the CPU it used while sending, as JSON."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    base_url, first, count, threads = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    plain = argv[4] == "plain"
    http = TwilioHttpClient(timeout=10)
    if http.session is not None and not plain:
        http.session.trust_env = False  # as the worker's client: environment read once
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
    client.api.base_url = base_url
    phones = iter([fictional_phone(i) for i in range(first, first + count)])
    take = threading.Lock()
    callback = PUBLIC_BASE_URL + "/twilio/status"
    errors: list[str] = []

    def send() -> None:
        while True:
            with take:
                phone = next(phones, None)
            if phone is None:
                return
            try:
                client.messages.create(
                    to=phone,
                    body=CEILING_BODY,
                    from_=SENDER_NUMBER,
                    validity_period=3600,
                    status_callback=callback,
                )
            except Exception as error:  # counted, not retried: the check shows it
                errors.append(type(error).__name__)

    before = resource.getrusage(resource.RUSAGE_SELF)
    pool = [threading.Thread(target=send) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"cpu": cpu, "errors": len(errors)}), flush=True)
    return 0


# -- data -----------------------------------------------------------------------------


def seed(engine: Engine, phones: list[str], due: dt.datetime, zone: str) -> None:
    """As tests.processes.seed_due_reminders, in three multi-row inserts instead of 3N."""
    with engine.begin() as c:
        seed_people(c, phones, due, [zone])
        seed_reminders(c, len(phones), due, due)
    analyze(engine)


def start_profiler(args: argparse.Namespace, pid: int, out: Path) -> subprocess.Popen[bytes]:
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
            "--subprocesses",  # a prefork pool's children
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# -- where the worker's time goes (with --py-spy) ------------------------------------

BUCKETS = (
    ("send_reminders: prepare (phase 1, DB only)", "reminders/prepare.py"),
    ("send_reminders: deliver (phase 2)", "reminders/deliver.py"),
    ("  deliver -> Twilio client (send_sms)", "secondopinion/sender.py"),
    ("  deliver -> rate limiter (Redis)", "secondopinion/ratelimit.py"),
    ("sweep (claim + batched publish)", "reminders/sweep.py"),
    ("any SQLAlchemy ORM/Core frame", "sqlalchemy/"),
    ("any psycopg frame", "psycopg/"),
    ("any logging frame", "logging/__init__.py"),
    ("the consumer loop (kombu: fetch, ack)", "asynloop ("),
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
    shares.append(("outside the tasks (Celery, kombu, threads)", 1 - task / total))
    return shares


# -- one setup --------------------------------------------------------------------------


def run_setup(
    args: argparse.Namespace,
    engine: Engine,
    db_url: str,
    fake: RemoteFakeTwilio,
    setup: Setup,
    logdir: Path,
) -> dict[str, Any]:
    phones = [fictional_phone(i) for i in range(args.reminders)]
    fake.reset()
    if not setup.ceilings:
        empty_tables(engine)
        now = dt.datetime.now(dt.UTC)
        seed(engine, phones, now - dt.timedelta(seconds=5), daytime_zone(now))
        redis.Redis.from_url(args.redis).flushdb()
    busy_before = wait_quiet(args.wait_quiet) if args.wait_quiet else None

    env = service_env(db_url, args.redis, fake.base_url, args.sweep_interval, args.rate)
    celery = CELERY
    level_dir = logdir / setup.name
    level_dir.mkdir()
    meter = CpuMeter()
    pg_cpu0 = our_postgres_cpu_seconds(args.db)
    fake_cpu0 = cpu_seconds(args.fake_pid)
    own_cpu0 = cpu_seconds(os.getpid())
    meter.start()
    started = time.monotonic()
    workers: list[Child] = []
    beats: list[Child] = []
    ceilings: list[subprocess.Popen[str]] = []
    if setup.ceilings:
        share = args.reminders // setup.ceilings
        for n in range(setup.ceilings):
            first = n * share
            count = share if n < setup.ceilings - 1 else args.reminders - first
            ceilings.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--ceiling-child", fake.base_url, str(first),
                     str(count), str(args.ceiling_threads), args.ceiling_client],
                    cwd=ROOT,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                    stdout=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            )  # fmt: skip
    for n, (pool, concurrency) in enumerate(setup.workers):
        workers.append(
            Child(
                f"worker{n + 1}",
                [*celery, "worker", "--pool", pool, "--concurrency", str(concurrency),
                 "--loglevel", args.loglevel, "-n", f"bench{n + 1}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env,
                level_dir,
            )
        )  # fmt: skip
    for n in range(setup.beats if setup.workers else 0):
        beats.append(
            Child(
                f"beat{n + 1}",
                [*celery, "beat", "--loglevel", args.loglevel,
                 "--schedule", str(level_dir / f"beat{n + 1}-schedule")],
                env,
                level_dir,
            )
        )  # fmt: skip
    spy: subprocess.Popen[bytes] | None = None
    done = False
    last: Counter[str] = Counter()
    child_cpu: list[float] = []
    beats_booted = 0.0
    errors = 0
    try:
        deadline = started + args.level_timeout
        if ceilings:
            for process in ceilings:
                out, _ = process.communicate(timeout=max(deadline - time.monotonic(), 1))
                report = json.loads(out.strip().splitlines()[-1])
                child_cpu.append(report["cpu"])
                errors += report["errors"]
            done = True
        booted: dict[int, float] = {}  # CPU each worker used to start, left out of its figure
        while workers and time.monotonic() < deadline:
            for w in workers:
                if w.pid not in booted and b" ready." in w.log.read_bytes():
                    booted[w.pid] = tree_cpu_seconds(w.pid)
                    if len(booted) == len(workers):
                        beats_booted = sum(cpu_seconds(b.pid) for b in beats)
            if len(booted) < len(workers):
                time.sleep(0.02)
                continue
            last = counts(engine)
            if sum(last[s] for s in TERMINAL) >= args.reminders:
                done = True
                break
            if args.py_spy and spy is None and last["sent"] > 0:  # steady state, not start-up
                spy = start_profiler(args, workers[0].pid, level_dir / "worker-profile.txt")
            if any(c.process.poll() is not None for c in workers + beats):
                raise SystemExit(f"a celery process exited early: see {level_dir}")
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        worker_cpu = sum(tree_cpu_seconds(w.pid) - booted.get(w.pid, 0.0) for w in workers)
        worker_cpu += sum(child_cpu)
        beat_cpu = sum(cpu_seconds(b.pid) for b in beats) - beats_booted
        pg_cpu = our_postgres_cpu_seconds(args.db) - pg_cpu0
        fake_cpu = cpu_seconds(args.fake_pid) - fake_cpu0
        machine_cores = meter.stop()
        start_up = sum(booted.values()) + beats_booted
        mine = cpu_seconds(os.getpid()) - own_cpu0
        ours = worker_cpu + beat_cpu + start_up + fake_cpu + pg_cpu + mine
        others = machine_cores * elapsed - ours
    finally:
        if spy is not None:
            spy.wait(timeout=args.profile_seconds + 30)
        for process in ceilings:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for child in workers + beats:
            child.stop()

    messages = fake.messages
    received = Counter(m["to"] for m in messages)
    times = sorted(dt.datetime.fromisoformat(m["received_at"]) for m in messages)
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    twice = sorted(p for p, n in received.items() if n > 1)
    missing = sorted(set(phones) - set(received))
    n = max(len(messages), 1)
    return {
        "setup": setup,
        "done": done,
        "received": len(messages),
        "rate": (len(times) - 1) / span if span > 0 else 0.0,
        "span": span,
        "start_to_last": elapsed,
        "once_each": not twice and not missing and len(messages) == len(phones) and not errors,
        "twice": len(twice),
        "missing": len(missing),
        "errors": errors,
        "worker_ms": worker_cpu / n * 1000,
        "beat_ms": beat_cpu / n * 1000,
        "fake_ms": fake_cpu / n * 1000,
        "pg_ms": pg_cpu / n * 1000,
        "machine_cores": machine_cores,
        "others_cores": max(others, 0.0) / elapsed,
        "busy_before": busy_before,
        "statuses": dict(last),
        "profile": summarise_profile(level_dir / "worker-profile.txt") if spy else None,
    }


# -- the report ---------------------------------------------------------------------


def verdicts(results: dict[str, dict[str, Any]]) -> list[tuple[str, float, float, str]]:
    """(what, ratio, target, against what) for each target the run can judge."""
    rate = {name: r["rate"] for name, r in results.items()}
    out: list[tuple[str, float, float, str]] = []
    ceiling = rate.get("ceiling")
    if ceiling:
        if "one" in rate:
            out.append(("one worker / ceiling", rate["one"] / ceiling, TARGET_VS_CEILING, ""))
        if "two" in rate:
            out.append(("two workers / (2 x ceiling)", rate["two"] / (2 * ceiling), 0.0, "info"))
        if "prefork" in rate:
            prefork = rate["prefork"] / (2 * ceiling)
            out.append(("prefork x2 / (2 x ceiling)", prefork, TARGET_VS_CEILING, ""))
        if "ceiling2" in rate:
            out.append(("client alone: 2 processes / 1", rate["ceiling2"] / ceiling, 0.0, "info"))
    if rate.get("one"):
        if "two" in rate:
            two = rate["two"] / rate["one"]
            out.append(("two workers / one worker", two, TARGET_TWO_VS_ONE, ""))
        if "beats2" in rate:
            out.append(("two beats / one beat", rate["beats2"] / rate["one"], TARGET_BEATS, ""))
    per_text = {name: r["worker_ms"] for name, r in results.items()}
    if per_text.get("ceiling") and per_text.get("one"):  # CPU per text: steadier than rates
        cpu = per_text["ceiling"] / per_text["one"]
        out.append(("CPU per text, client alone / one", cpu, 0.0, "info"))
    if rate.get("ceiling2") and "prefork" in rate:
        both = rate["prefork"] / rate["ceiling2"]
        out.append(("prefork x2 / client alone x2", both, 0.0, "info"))
    return out


def print_result(r: dict[str, Any], ceiling: float | None) -> None:
    setup: Setup = r["setup"]
    ratio = f"  {r['rate'] / ceiling:.2f}x ceiling" if ceiling else ""
    print(
        f"{setup.name:<9} {r['rate']:7.1f} texts/s{ratio}  ({r['received']:,} in {r['span']:.1f} s "
        f"first->last, {r['start_to_last']:.1f} s from start)  exactly once: "
        f"{'yes' if r['once_each'] else 'NO'}  [{setup.label}]"
        + ("" if r["done"] else f"  TIMED OUT {r['statuses']}")
    )
    before = "" if r["busy_before"] is None else f", machine {r['busy_before']:.0%} busy before"
    print(
        f"          CPU ms per text: {'client' if setup.ceilings else 'worker(s)'} "
        f"{r['worker_ms']:.2f}, beat(s) {r['beat_ms']:.2f}, fake Twilio {r['fake_ms']:.2f}, "
        f"PostgreSQL {r['pg_ms']:.2f}; machine {r['machine_cores']:.2f} of "
        f"{os.cpu_count()} cores busy, {r['others_cores']:.2f} by other processes{before}"
    )
    for name, share in r["profile"] or []:
        print(f"          worker GIL time {share:6.1%}  {name}")
    if r["twice"] or r["missing"] or r["errors"]:
        print(f"          {r['twice']} got 2+, {r['missing']} got none, {r['errors']} errors")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--ceiling-child"]:
        return ceiling_child(argv[1:])
    parser = bench_parser(__doc__, "secondopinion_bench_dispatch", redis=DEFAULT_REDIS)
    parser.add_argument("--reminders", type=int, default=10_000, help="texts per setup")
    parser.add_argument("--setups", nargs="+", choices=SETUPS, default=list(SETUPS))
    parser.add_argument("--concurrency", type=int, default=8, help="threads per worker (8)")
    parser.add_argument("--ceiling-threads", type=int, default=8, help="client-alone threads")
    parser.add_argument(
        "--ceiling-client",
        choices=("tuned", "plain"),
        default="tuned",
        help="tuned: the client's requests session set up as the worker's (trust_env off); "
        "plain: TwilioHttpClient as it comes",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the setups this many times, in turn; each ratio is judged on its median",
    )
    parser.add_argument("--rate", type=float, default=100_000, help="SEND_RATE_PER_SECOND")
    parser.add_argument("--sweep-interval", type=float, default=0.5)
    parser.add_argument("--loglevel", default="INFO", help="worker/beat log level (Procfile: INFO)")
    parser.add_argument("--level-timeout", type=float, default=240, help="seconds per setup")
    parser.add_argument(
        "--wait-quiet", type=float, default=60, help="wait up to S for an idle CPU per setup"
    )
    parser.add_argument("--py-spy", help="path to py-spy: profile the first worker (GIL samples)")
    parser.add_argument("--profile-seconds", type=int, default=15)
    parser.add_argument("--logs", help="keep the processes' logs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    require_loopback(args.redis)
    if args.redis.rstrip("/").endswith(("/0", ":6379")):
        parser.error("give --redis a dedicated database number, e.g. redis://127.0.0.1:6379/14")

    print(f"machine: {machine_line()}")
    print(f"{args.reminders:,} texts per setup, setups: {' '.join(args.setups)}")
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="bench-dispatch-"))
    logdir.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(args.server, args.db)
    engine = make_engine(db_url)
    fake_process, base_url = start_fake(logdir)
    args.fake_pid = fake_process.pid
    rounds: list[dict[str, dict[str, Any]]] = []
    table = setups(args)
    try:
        migrate(db_url)
        fake = RemoteFakeTwilio(base_url, timeout=60)
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"-- round {number} of {args.rounds}")
            results: dict[str, dict[str, Any]] = {}
            rounds.append(results)
            for name in args.setups:
                where = logdir / f"round{number}"
                where.mkdir(exist_ok=True)
                results[name] = run_setup(args, engine, db_url, fake, table[name], where)
                ceiling = results["ceiling"]["rate"] if "ceiling" in results else None
                print_result(results[name], ceiling)
    finally:
        engine.dispose()
        stop_fake(fake_process)
        redis.Redis.from_url(args.redis).flushdb()
        if not args.keep:
            drop_database(args.server, args.db)
    print(f"logs: {logdir}")
    ok = all(r["once_each"] and r["done"] for results in rounds for r in results.values())
    print(f"every number exactly one text in every setup: {'yes' if ok else 'NO'}")
    judged_rounds = [verdicts(results) for results in rounds]
    for n, (what, _, target, note) in enumerate(judged_rounds[0] if judged_rounds else []):
        ratios = sorted(judged[n][1] for judged in judged_rounds)
        ratio = ratios[(len(ratios) - 1) // 2]  # the median round (the lower one of two)
        verdict = "(for reference)" if note else ("PASS" if ratio >= target else "FAIL")
        aim = f"target >= {target:.2f}" if not note else ""
        each = f"  rounds: {', '.join(f'{r:.2f}' for r in ratios)}" if len(ratios) > 1 else ""
        print(f"  {what:<32} {ratio:5.2f}x  {aim} {verdict}{each}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
