"""Benchmark the inbound SMS webhook under load: the real app, a hand-written floor, a bare ceiling.

Makes a scratch PostgreSQL database, migrates it, and seeds --people enrolled, consenting
people (fictional +1 AAA 555 01xx numbers in US area codes). Then, for each server, under
the Procfile's own gunicorn settings (`--config gunicorn.conf.py --workers 2`: gthread,
8 threads per worker, the access log on):

  real     'webhooks:create_app()'  (DATABASE_URL, TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL set)
  minimal  'minimal_webhook:create_app()' (bench/minimal_webhook.py: the same transaction
           written by hand: signature, upsert+lock, two inserts, commit, a TwiML string)
  bare     'bare_webhook:create_app()' (bench/bare_webhook.py: Flask answering fixed TwiML,
           no signature, no database: the framework's own ceiling)

the database is emptied and re-seeded, the server started, and driven for --duration
seconds (after --warmup seconds not counted) by --connections closed-loop clients sending
Twilio-signed POSTs to /twilio/sms: a random fictional number texting PHRASES, RECORDS or
DONE n, every request with its own MessageSid. The driver is wrk (apt-get install wrk)
with a Lua script replaying pre-signed requests when it is on PATH, else Python threads
on raw sockets (--driver python forces it). Rounds alternate the servers (the order
rotates each round). Per server: requests/s, p50/p99 latency, errors, and CPU per request
of the gunicorn processes and of the PostgreSQL backends serving the bench database, each
measured over the timed window only; then the ratios real/minimal (throughput, p99, CPU per
request: targets >= 0.8, <= 1.5, <= 1.5) from the medians over rounds.

--py-spy PATH: afterwards, one more run of the real server (and of 'before' with
--baseline) with py-spy sampling its workers (GIL holder) for --profile-seconds; prints
the top costs (self and inclusive).
--cprofile N: instead of load, N requests in-process through Flask's test client on one
thread (real and minimal apps, same database): CPU per request of this process and of its
PostgreSQL backend, statements and Python calls per request, and cProfile's top costs.
These figures barely move with other load on the machine.

Takes about (3 servers x rounds x (warmup + duration + ~8 s)): ~2.5 min with the defaults,
+ ~30 s with --py-spy; --cprofile 2000 takes ~1 min.

    .venv/bin/python bench/inbound.py
    .venv/bin/python bench/inbound.py --duration 10 --rounds 1 --wait-quiet 0
    .venv/bin/python bench/inbound.py --py-spy .venv/bin/py-spy --rounds 1
    .venv/bin/python bench/inbound.py --cprofile 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    AUTH_TOKEN,
    MAX_FICTIONAL,
    PUBLIC_BASE_URL,
    ROOT,
    CpuMeter,
    bench_parser,
    cpu_seconds,
    drop_database,
    empty_tables,
    fictional_phone,
    fresh_database,
    machine_line,
    migrate,
    percentile,
    tree_cpu_seconds,
    wait_quiet,
)
from seeding import analyze, seed_people
from signed import PATH, Signed, signed_requests
from sqlalchemy import Engine, text

from store.db import make_engine

BENCH = Path(__file__).resolve().parent
SERVERS = {
    "real": ["webhooks:create_app()"],
    "minimal": ["--pythonpath", str(BENCH), "minimal_webhook:create_app()"],
    "bare": ["--pythonpath", str(BENCH), "bare_webhook:create_app()"],
}
# The Procfile's web line: gunicorn --config gunicorn.conf.py --workers 2 (gthread, 8 threads).
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
TARGETS = {"throughput": 0.8, "p99": 1.5, "cpu": 1.5}  # real / minimal
TREES: dict[str, Path] = {}  # a server run from another checkout (--baseline) instead of ROOT

WRK_LUA = r"""
-- Replays pre-signed requests: each wrk thread takes every n-th line of the file.
local counter = 0
function setup(thread)
  thread:set("first", counter)
  counter = counter + 1
end
function init(args)
  local step = tonumber(os.getenv("BENCH_THREADS"))
  reqs = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if i % step == first then
      local sig, body = line:match("^(%S+) (.*)$")
      reqs[#reqs + 1] = wrk.format("POST", "/twilio/sms", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body)
    end
    i = i + 1
  end
  n = 0
end
function request()
  n = n + 1
  if n > #reqs then n = 1 end  -- reported as wrapped: a repeat is Twilio's retry path
  return reqs[n]
end
function done(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  out:close()
end
"""


# -- requests -------------------------------------------------------------------------


def raw_request(port: int, req: Signed) -> bytes:
    body = req.body.encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {req.signature}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def post_once(port: int, data: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    response = b"".join(chunks)
    try:
        status = int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = 0
    return status, response


# -- drivers --------------------------------------------------------------------------


def drive_python(
    port: int, reqs: list[Signed], connections: int, warmup: float, duration: float
) -> dict[str, Any]:
    """Closed loop: each thread sends its own slice of requests back to back."""
    raw = [raw_request(port, r) for r in reqs]
    start = time.perf_counter()
    begin, end = start + warmup, start + warmup + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    wrapped = [False] * connections

    def run(k: int) -> None:
        mine = raw[k::connections]
        i = 0
        while True:
            t0 = time.perf_counter()
            if t0 >= end:
                return
            if i == len(mine):
                i, wrapped[k] = 0, True
            try:
                status, _ = post_once(port, mine[i])
            except OSError:
                status = 0
            i += 1
            t1 = time.perf_counter()
            if t0 >= begin and t1 <= end:
                latencies[k].append(t1 - t0)
                if status != 200:
                    errors[k] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [x for xs in latencies for x in xs]
    if not flat:
        raise SystemExit("no request completed inside the measured window")
    return {
        "requests": len(flat),
        "rps": len(flat) / duration,
        "p50_ms": percentile(flat, 50) * 1000,
        "p99_ms": percentile(flat, 99) * 1000,
        "max_ms": max(flat) * 1000,
        "errors": sum(errors),
        "wrapped": any(wrapped),
    }


def wrk_phase(
    port: int, reqs: list[Signed], connections: int, seconds: float, tmp: Path, phase: str
) -> dict[str, Any]:
    """One wrk run replaying these requests (the Lua above) for `seconds`."""
    threads = min(2, connections)
    script = tmp / "replay.lua"
    script.write_text(WRK_LUA)
    source = tmp / f"{phase}.txt"
    source.write_text("".join(f"{r.signature} {r.body}\n" for r in reqs))
    out = tmp / f"{phase}.json"
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(source),
        "BENCH_THREADS": str(threads),
        "BENCH_RESULT": str(out),
    }
    subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=seconds + 60,
    )
    r = json.loads(out.read_text())
    elapsed = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return {
        "requests": r["requests"],
        "rps": r["requests"] / elapsed,
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "max_ms": r["max_us"] / 1000,
        "errors": errors,
        "wrapped": r["requests"] > len(reqs),
    }


# -- database and servers -------------------------------------------------------------


def reseed(engine: Engine, people: int) -> None:
    """Empty every table, then N enrolled people at the ready step who said yes."""
    now = dt.datetime.now(dt.UTC)
    empty_tables(engine)
    phones = [fictional_phone(i) for i in range(people)]
    with engine.begin() as c:
        seed_people(
            c, phones, now, ["America/New_York"], visit=(now + dt.timedelta(days=30)).date()
        )
    analyze(engine)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    def __init__(self, name: str, db_url: str, workers: int, logdir: Path) -> None:
        self.port = free_port()
        self.log = (logdir / f"gunicorn-{name}.log").open("ab")
        root = TREES.get(name, ROOT)
        env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "DATABASE_URL": db_url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        }
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(root / GUNICORN_CONFIG.name),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(root),
            *SERVERS[name],
        ]
        self.process = subprocess.Popen(  # cwd: `python -m` puts it first on sys.path
            args,
            env=env,
            cwd=root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, probe: Signed, timeout: float = 30.0) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log.name}")
            try:
                status, response = post_once(self.port, raw_request(self.port, probe), 5)
            except OSError:
                time.sleep(0.2)
                continue
            if status != 200:
                raise SystemExit(f"probe answered {status}: {response[:300]!r}")
            return response
        raise SystemExit("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def _driver() -> float:
    """CPU of the load generator: this process (python driver) and finished wrk runs."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Backends:
    """CPU of the PostgreSQL backends connected to one database (not this process's own)."""

    QUERY = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.start: dict[int, float] = {}

    def pids(self) -> list[int]:
        with self.engine.connect() as c:
            return [int(pid) for pid in c.execute(self.QUERY).scalars()]

    def begin(self) -> None:
        self.start = {pid: cpu_seconds(pid) for pid in self.pids()}
        self.sessions0 = self.sessions()

    def sessions(self) -> int:
        """Connections ever made to the database (PostgreSQL 14+; the stats lag ~1 s)."""
        query = text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        with self.engine.connect() as c:
            return int(c.execute(query).scalar() or 0)

    def seconds(self) -> float:
        """CPU since begin(); a backend that started since counts from zero."""
        return sum(cpu_seconds(pid) - self.start.get(pid, 0.0) for pid in self.pids())


def postgres_cpu() -> dict[int, float]:
    """CPU so far of every postgres process (all databases), by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    found[int(entry.name)] = cpu_seconds(int(entry.name))
            except OSError:
                continue
    return found


def postgres_since(before: dict[int, float]) -> float:
    """CPU of the postgres processes since `before` (those that exited meanwhile not counted)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in postgres_cpu().items())


def drive(
    args: argparse.Namespace, port: int, reqs: list[Signed], seconds: float, tmp: Path, phase: str
) -> dict[str, Any]:
    if args.driver == "wrk":
        return wrk_phase(port, reqs, args.connections, seconds, tmp, phase)
    return drive_python(port, reqs, args.connections, 0.0, seconds)


def run_server(
    name: str,
    args: argparse.Namespace,
    engine: Engine,
    db_url: str,
    seed: int,
    logdir: Path,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Reseed, start the server, warm it up, then measure (or profile) one window."""
    reseed(engine, args.people)
    reqs = signed_requests(args.max_requests, args.people, seed)
    warm, measured = reqs[: len(reqs) // 8], reqs[len(reqs) // 8 :]
    probe = signed_requests(1, args.people, seed + 1_000_000)[0]
    server = Gunicorn(name, db_url, args.workers, logdir)
    backends = Backends(engine)
    spy: subprocess.Popen[bytes] | None = None
    try:
        response = server.wait_ready(probe)
        if args.warmup > 0:
            drive(args, server.port, warm, args.warmup, logdir, "warmup")
        if args.wait_quiet and profile is None:
            wait_quiet(args.wait_quiet)
        seconds = args.profile_seconds if profile else args.duration
        if profile is not None:
            spy = start_py_spy(args.py_spy, server.process.pid, seconds, profile)
            time.sleep(0.5)  # py-spy attaches to the workers
        meter = CpuMeter()
        backends.begin()
        server0, pg0, driver0 = (
            tree_cpu_seconds(server.process.pid),
            postgres_cpu(),
            _driver(),
        )
        wall0 = time.monotonic()
        meter.start()
        result = drive(args, server.port, measured, seconds, logdir, "measure")
        result["machine_cores"] = meter.stop()
        wall = time.monotonic() - wall0
        server_s = tree_cpu_seconds(server.process.pid) - server0
        backend_s = backends.seconds()
        time.sleep(1.0)  # the statistics collector's delay
        result["connects"] = backends.sessions() - backends.sessions0
        pg_s = postgres_since(pg0)
        driver_s = _driver() - driver0
        n = max(result["requests"], 1)
        result["server_ms"] = server_s / n * 1000
        result["pg_ms"] = backend_s / n * 1000
        result["cpu_ms"] = result["server_ms"] + result["pg_ms"]
        result["server_cores"] = server_s / wall
        result["pg_cores"] = pg_s / wall  # every postgres process, other databases too
        result["driver_cores"] = driver_s / wall
        ours = result["server_cores"] + result["pg_cores"] + result["driver_cores"]
        result["others_cores"] = max(result["machine_cores"] - ours, 0.0)
        if spy is not None:
            spy.wait(timeout=seconds + 30)
    finally:
        if spy is not None and spy.poll() is None:
            spy.terminate()
        server.stop()
    body = response.split(b"\r\n\r\n", 1)[-1].decode(errors="replace")
    result["sample"] = body[:140]
    return result


def report(round_no: int, name: str, r: dict[str, Any]) -> None:
    print(
        f"round {round_no} {name:<7} {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
        f"p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms  errors {r['errors']}  "
        f"CPU/request: gunicorn {r['server_ms']:.2f} ms + postgres {r['pg_ms']:.2f} ms  "
        f"new connections {r['connects']}"
        + ("  (requests repeated: raise --max-requests)" if r["wrapped"] and name != "bare" else "")
    )
    print(
        f"        cores: gunicorn {r['server_cores']:.2f}, postgres (all) {r['pg_cores']:.2f}, "
        f"load generator {r['driver_cores']:.2f}, other processes {r['others_cores']:.2f} "
        f"(machine {r['machine_cores']:.2f} of {os.cpu_count()})",
        flush=True,
    )


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def summarise(results: dict[str, list[dict[str, Any]]]) -> None:
    keys = ("rps", "p50_ms", "p99_ms", "server_ms", "pg_ms", "cpu_ms", "others_cores")
    med = {
        name: {k: median([r[k] for r in rs]) for k in keys} for name, rs in results.items() if rs
    }
    print("\nmedians over rounds:")
    print(
        f"{'server':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'gunicorn ms/req':>16} "
        f"{'postgres ms/req':>16} {'total ms/req':>13} {'others cores':>13}"
    )
    for name, m in med.items():
        print(
            f"{name:<8} {m['rps']:8.1f} {m['p50_ms']:8.1f} {m['p99_ms']:8.1f} "
            f"{m['server_ms']:16.2f} {m['pg_ms']:16.2f} {m['cpu_ms']:13.2f} "
            f"{m['others_cores']:13.2f}"
        )
    if "before" in med and "minimal" in med:
        before, floor = med["before"], med["minimal"]
        print(
            f"\nbefore / minimal: throughput {before['rps'] / floor['rps']:.2f}x, "
            f"p99 {before['p99_ms'] / floor['p99_ms']:.2f}x, "
            f"CPU/request {before['cpu_ms'] / floor['cpu_ms']:.2f}x"
        )
    if "real" in med and "minimal" in med:
        real, floor = med["real"], med["minimal"]
        ratios = [
            ("throughput", real["rps"] / floor["rps"], ">=", TARGETS["throughput"]),
            ("p99", real["p99_ms"] / floor["p99_ms"], "<=", TARGETS["p99"]),
            ("CPU/request", real["cpu_ms"] / floor["cpu_ms"], "<=", TARGETS["cpu"]),
        ]
        print("\nreal / minimal (target):")
        for what, ratio, op, target in ratios:
            met = ratio >= target if op == ">=" else ratio <= target
            print(f"  {what:<12} {ratio:5.2f}x  ({op} {target}: {'met' if met else 'NOT met'})")
        print(
            f"  (gunicorn CPU/request {real['server_ms'] / floor['server_ms']:.2f}x, "
            f"postgres CPU/request {real['pg_ms'] / floor['pg_ms']:.2f}x)"
        )
    if "bare" in med:
        for name in ("real", "minimal"):
            if name in med:
                print(
                    f"  {name} / bare throughput {med[name]['rps'] / med['bare']['rps']:.2f}x, "
                    f"gunicorn CPU/request {med[name]['server_ms'] / med['bare']['server_ms']:.1f}x"
                )


# -- where the real server's time goes (--py-spy) ----------------------------------------


def start_py_spy(py_spy: str, pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample the GIL holder of gunicorn's workers (children of `pid`), collapsed stacks."""
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--gil",
            "--nonblocking",
            "--rate",
            "250",
            "--duration",
            str(max(1, round(seconds))),
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Inclusive buckets: what a request spends its (GIL-holding) time in.
BUCKETS = (
    ("webhooks/sms.py inbound_sms (the view)", "inbound_sms (webhooks/sms.py"),
    ("  receive_text (secondopinion/conversation.py)", "receive_text (secondopinion/conv"),
    ("    people.lock_for_text (the lock)", "_lock (store/people.py"),
    ("    machine.step (flows)", "step (flows/conversation/machine.py"),
    ("    apply (secondopinion/apply.py)", "apply (secondopinion/apply.py"),
    ("  transaction commit", "commit (sqlalchemy/orm/session.py"),
    ("  phone parsing (phonenumbers)", "phonenumbers/"),
    ("  TwiML", "twiml ("),
    ("signature check (twilio_signed)", "checked (webhooks/signature.py"),
    ("any SQLAlchemy frame", "sqlalchemy/"),
    ("any psycopg frame", "psycopg/"),
    ("any logging frame", "logging/__init__.py"),
    ("Flask (the whole request in the app)", "wsgi_app (flask/app.py"),
    ("gunicorn (everything a worker thread does)", "gunicorn/"),
)


def _frame_name(frame: str) -> str:
    """`func (path/to/site-packages/pkg/mod.py:12)` -> `pkg/mod.py:func`."""
    func, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3.11/", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{func}"


def print_profile(path: Path, top: int = 25, server: str = "real") -> None:
    """Top costs from py-spy's raw output: shares of samples, self and inclusive."""
    if not path.exists() or not path.read_text().strip():
        print(f"py-spy wrote nothing to {path}")
        return
    total = 0
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    buckets = dict.fromkeys((name for name, _ in BUCKETS), 0)
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_frame_name(f) for f in stack.split(";")[1:]]  # [0] is the thread
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + n
        for name in set(frames):
            inclusive[name] = inclusive.get(name, 0) + n
        for name, needle in BUCKETS:
            if needle in stack:
                buckets[name] += n
    print(f"\nprofile of the {server} server ({total} GIL samples, {path}):")
    for name, n in buckets.items():
        print(f"  {n / total:6.1%}  {name}")
    print(f"\ntop {top} by self time:")
    for name, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {n / total:6.1%}  {name}")
    print(f"\ntop {top} by inclusive time (project code and libraries' entry points):")
    shown = 0
    for name, n in sorted(inclusive.items(), key=lambda kv: -kv[1]):
        if n / total > 0.98 or name.startswith(":process") or name.startswith("threading.py"):
            continue  # the thread's and process's own frames: everything is under them
        print(f"  {n / total:6.1%}  {name}")
        shown += 1
        if shown == top:
            break


# -- in-process: CPU, statements and Python calls per request (--cprofile) ---------------


def in_process(args: argparse.Namespace, engine: Engine, db_url: str) -> None:
    """N requests through Flask's test client on one thread, for real and minimal."""
    import cProfile
    import pstats

    from sqlalchemy import event

    os.environ.update(
        DATABASE_URL=db_url, TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=PUBLIC_BASE_URL
    )
    import minimal_webhook

    from webhooks import create_app

    apps = {"real": create_app(), "minimal": minimal_webhook.create_app()}
    statements = [0]

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        statements[0] += 1

    def post(client: Any, req: Signed) -> None:
        answer = client.post(
            PATH,
            data=req.body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": req.signature},
        )
        if answer.status_code != 200:
            raise SystemExit(f"answered {answer.status_code}: {answer.data[:200]!r}")

    n = args.cprofile
    rows = []
    for round_no in range(args.rounds):
        for name in list(apps) if round_no % 2 == 0 else list(apps)[::-1]:
            reseed(engine, args.people)
            reqs = signed_requests(2 * n + 100, args.people, 7_000 * round_no + len(name))
            client = apps[name].test_client()
            for req in reqs[:100]:  # warm: connections, caches
                post(client, req)
            backends = Backends(engine)
            backends.begin()
            statements[0] = 0
            t0 = time.process_time()
            for req in reqs[100 : 100 + n]:
                post(client, req)
            cpu = (time.process_time() - t0) / n * 1000
            pg = backends.seconds() / n * 1000
            stmts = statements[0] / n
            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the database
            profiler.enable()
            for req in reqs[100 + n :]:
                post(client, req)
            profiler.disable()
            stats = pstats.Stats(profiler)
            calls = stats.total_calls / n  # type: ignore[attr-defined]
            rows.append((round_no + 1, name, cpu, pg, stmts, calls))
            print(
                f"round {round_no + 1} {name:<7} CPU/request: this process {cpu:.2f} ms, "
                f"postgres backend {pg:.2f} ms; SQLAlchemy statements/request {stmts:.2f}; "
                f"Python calls/request {calls:,.0f}",
                flush=True,
            )
            if name == "real" and round_no == args.rounds - 1:
                print(f"\ncProfile of the real app, {n} requests (top {args.top} by tottime):")
                stats.sort_stats("tottime").print_stats(args.top)
                print(f"cProfile of the real app (top {args.top} by cumulative time):")
                stats.sort_stats("cumulative").print_stats(args.top)
    real = [r for r in rows if r[1] == "real"]
    floor = [r for r in rows if r[1] == "minimal"]
    if real and floor:
        r_cpu, f_cpu = median([r[2] + r[3] for r in real]), median([r[2] + r[3] for r in floor])
        print(
            f"\nin-process CPU/request (app + its postgres backend), medians: real {r_cpu:.2f} ms, "
            f"minimal {f_cpu:.2f} ms: {r_cpu / f_cpu:.2f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "secondopinion_bench_inbound")
    parser.add_argument("--people", type=int, default=5_000, help="fictional numbers texting")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn --workers (all servers)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=2, help="each server once per round")
    parser.add_argument("--only", choices=sorted(SERVERS), action="append", help="these only")
    parser.add_argument(
        "--driver", choices=("auto", "wrk", "python"), default="auto", help="load generator"
    )
    parser.add_argument("--max-requests", type=int, default=0, help="pre-signed (0: auto)")
    parser.add_argument("--wait-quiet", type=float, default=30, help="wait up to S for idle CPU")
    parser.add_argument("--py-spy", help="path to py-spy: profile the real server under load")
    parser.add_argument("--profile-seconds", type=float, default=15.0, help="with --py-spy")
    parser.add_argument("--cprofile", type=int, default=0, help="N requests in-process instead")
    parser.add_argument("--top", type=int, default=25, help="lines of each profile")
    parser.add_argument(
        "--baseline",
        help="another checkout of the repository (git worktree add / git archive): its "
        "'webhooks:create_app()' runs as server 'before', alternating with the others",
    )
    parser.add_argument("--logs", help="keep server logs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.people > MAX_FICTIONAL:
        parser.error(f"--people at most {MAX_FICTIONAL}")
    if args.driver == "auto":
        args.driver = "wrk" if shutil.which("wrk") else "python"
    longest = max(args.duration, args.profile_seconds if args.py_spy else 0)
    if not args.max_requests:  # enough for 4,000 requests/s, so none repeats a MessageSid
        args.max_requests = int((longest + args.warmup) * 4_000 * 8 / 7)
    if args.duration + args.warmup > 300 or args.profile_seconds > 120:
        parser.error("keep --duration + --warmup under 300 s and --profile-seconds under 120")

    print(f"machine: {machine_line()}")
    db_url = fresh_database(args.server, args.db)
    engine = make_engine(db_url)
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="bench-inbound-"))
    logdir.mkdir(parents=True, exist_ok=True)
    if args.baseline:
        TREES["before"] = Path(args.baseline).resolve()
        SERVERS["before"] = SERVERS["real"]
    names = list(args.only or SERVERS)
    if args.baseline and "before" not in names:
        names.append("before")
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    try:
        migrate(db_url)
        if args.cprofile:
            in_process(args, engine, db_url)
            return 0
        print(
            f"driver {args.driver}, {args.connections} connections; every server under "
            f"gunicorn --config gunicorn.conf.py --workers {args.workers} (gthread, 8 threads); "
            f"{args.duration:.0f} s measured after {args.warmup:.0f} s"
        )
        for round_no in range(args.rounds):
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                r = run_server(name, args, engine, db_url, 1000 * round_no + len(name), logdir)
                results[name].append(r)
                report(round_no + 1, name, r)
        for name, rs in results.items():
            if rs:
                print(f"{name} answered e.g.: {rs[0]['sample']}")
        summarise(results)
        for name in ("real", "before") if args.py_spy else ():
            if name not in names:
                continue
            out = logdir / f"{name}-profile.txt"
            r = run_server(name, args, engine, db_url, 99_000, logdir, profile=out)
            print(
                f"\nprofiled run of {name}: {r['rps']:.1f} req/s under py-spy (not counted "
                f"above), gunicorn {r['server_ms']:.2f} ms CPU/request"
            )
            print_profile(out, args.top, name)
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(args.server, args.db)
    print(f"logs: {logdir}")
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
