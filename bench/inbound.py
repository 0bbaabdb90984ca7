"""Benchmark the inbound SMS webhook under load: the real app against a minimal floor.

Makes a scratch PostgreSQL database, migrates it, and seeds --people enrolled, consenting
people (fictional +1 AAA 555 01xx numbers in US area codes). Then, for each server:

  real     gunicorn -w 2 'webhooks:create_app()'   (DATABASE_URL, TWILIO_AUTH_TOKEN,
                                                    PUBLIC_BASE_URL set)
  minimal  gunicorn -w 2 'minimal_webhook:create_app()'  (bench/minimal_webhook.py: the same
           transaction written by hand: signature, upsert+lock, two inserts, commit, TwiML)

the database is emptied and re-seeded, the server started with the same gunicorn settings,
and driven for --duration seconds (after --warmup seconds not counted) by --connections
closed-loop clients sending Twilio-signed POSTs to /twilio/sms: a random fictional number
texting PHRASES, RECORDS or DONE n, every request with its own MessageSid. The driver is
wrk (apt-get install wrk) with a Lua script replaying pre-signed requests when it is on
PATH, else Python threads on raw sockets (--driver python forces it). Reports requests/s,
p50/p99 latency, errors, and the real/minimal ratio; drops the database at the end.

    .venv/bin/python bench/inbound.py
    .venv/bin/python bench/inbound.py --driver python --duration 10 --rounds 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    AUTH_TOKEN,
    DEFAULT_PG,
    MAX_FICTIONAL,
    PUBLIC_BASE_URL,
    ROOT,
    SENDER_NUMBER,
    CpuMeter,
    drop_database,
    empty_tables,
    fictional_phone,
    fresh_database,
    machine_line,
    migrate,
    percentile,
    postgres_cpu_seconds,
    tree_cpu_seconds,
    wait_quiet,
)
from sqlalchemy import Engine, text
from twilio.request_validator import RequestValidator

from store.db import make_engine
from store.models import ConsentEventRow, ConversationRow

PATH = "/twilio/sms"
TEXTS = ("PHRASES", "RECORDS", "DONE 1", "DONE 2", "DONE 3")
BENCH = Path(__file__).resolve().parent
SERVERS = {
    "real": ["webhooks:create_app()"],
    "minimal": ["--pythonpath", str(BENCH), "minimal_webhook:create_app()"],
}

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


@dataclass(frozen=True)
class Signed:
    signature: str
    body: str


def signed_requests(count: int, people: int, seed: int) -> list[Signed]:
    """Twilio's form fields, each with its own MessageSid, signed with the auth token."""
    validator = RequestValidator(AUTH_TOKEN)
    rand = random.Random(seed)
    url = PUBLIC_BASE_URL + PATH
    out = []
    for n in range(count):
        form = {
            "AccountSid": "AC" + "5" * 32,
            "ApiVersion": "2010-04-01",
            "Body": rand.choice(TEXTS),
            "From": fictional_phone(rand.randrange(people)),
            "MessageSid": f"SM{seed:08x}{n:024x}",
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "To": SENDER_NUMBER,
        }
        out.append(Signed(validator.compute_signature(url, form), urlencode(form)))
    return out


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


def drive_wrk(
    port: int, reqs: list[Signed], connections: int, warmup: float, duration: float, tmp: Path
) -> dict[str, Any]:
    """wrk with the Lua above; the warm-up is a separate short wrk run on other requests."""
    threads = min(2, connections)
    script = tmp / "replay.lua"
    script.write_text(WRK_LUA)
    half = len(reqs) // 8
    files = {"warmup": reqs[:half], "measure": reqs[half:]}
    results: dict[str, Any] = {}
    for phase, chunk in files.items():
        seconds = warmup if phase == "warmup" else duration
        if seconds <= 0:
            continue
        source = tmp / f"{phase}.txt"
        source.write_text("".join(f"{r.signature} {r.body}\n" for r in chunk))
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
        results[phase] = json.loads(out.read_text())
    r = results["measure"]
    seconds = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return {
        "requests": r["requests"],
        "rps": r["requests"] / seconds,
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "max_ms": r["max_us"] / 1000,
        "errors": errors,
        "wrapped": r["requests"] > len(files["measure"]),
    }


# -- database and servers -------------------------------------------------------------


def reseed(engine: Engine, people: int) -> None:
    """Empty every table, then N enrolled people at the ready step who said yes."""
    now = dt.datetime.now(dt.UTC)
    empty_tables(engine)
    with engine.begin() as c:
        phones = [fictional_phone(i) for i in range(people)]
        c.execute(
            ConversationRow.__table__.insert(),
            [
                {
                    "id": i + 1,
                    "phone": phone,
                    "language": "en",
                    "step": "ready",
                    "status": "active",
                    "appointment": (now + dt.timedelta(days=30)).date(),
                    "date_deferred": False,
                    "referral": "not_needed",
                    "records_done": "",
                    "phrase_index": 0,
                    "timezone": "America/New_York",
                    "created_at": now,
                    "updated_at": now,
                    "enrolled_at": now - dt.timedelta(days=1),
                }
                for i, phone in enumerate(phones)
            ],
        )
        c.execute(text("SELECT setval('conversations_id_seq', :n)"), {"n": people})
        c.execute(
            ConsentEventRow.__table__.insert(),
            [
                {
                    "conversation_id": i + 1,
                    "phone": phone,
                    "kind": "opt_in",
                    "channel": "sms",
                    "words": "SECOND",
                    "shown_text": "(seeded)",
                    "at": now,
                }
                for i, phone in enumerate(phones)
            ],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    def __init__(self, name: str, db_url: str, workers: int, logdir: Path) -> None:
        self.port = free_port()
        self.log = (logdir / f"gunicorn-{name}.log").open("ab")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": db_url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        }
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            *SERVERS[name],
        ]
        self.process = subprocess.Popen(
            args, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
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


def run_server(
    name: str,
    args: argparse.Namespace,
    engine: Engine,
    db_url: str,
    seed: int,
    logdir: Path,
) -> dict[str, Any]:
    reseed(engine, args.people)
    reqs = signed_requests(args.max_requests, args.people, seed)
    probe = signed_requests(1, args.people, seed + 1_000_000)[0]
    server = Gunicorn(name, db_url, args.workers, logdir)
    try:
        response = server.wait_ready(probe)
        if args.wait_quiet:
            wait_quiet(args.wait_quiet)
        meter = CpuMeter()
        server0, pg0, driver0 = (
            tree_cpu_seconds(server.process.pid),
            postgres_cpu_seconds(),
            _driver(),
        )
        wall0 = time.monotonic()
        meter.start()
        if args.driver == "wrk":
            result = drive_wrk(
                server.port, reqs, args.connections, args.warmup, args.duration, logdir
            )
        else:
            result = drive_python(server.port, reqs, args.connections, args.warmup, args.duration)
        result["machine_cores"] = meter.stop()
        wall = time.monotonic() - wall0
        result["server_cores"] = (tree_cpu_seconds(server.process.pid) - server0) / wall
        result["pg_cores"] = (postgres_cpu_seconds() - pg0) / wall
        result["driver_cores"] = (_driver() - driver0) / wall
        ours = result["server_cores"] + result["pg_cores"] + result["driver_cores"]
        result["others_cores"] = max(result["machine_cores"] - ours, 0.0)
    finally:
        server.stop()
    body = response.split(b"\r\n\r\n", 1)[-1].decode(errors="replace")
    result["sample"] = body[:140]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default=DEFAULT_PG, help="PostgreSQL server URL (loopback)")
    parser.add_argument("--db", default="secondopinion_bench_inbound")
    parser.add_argument("--people", type=int, default=5_000, help="fictional numbers texting")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn --workers (both apps)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=2, help="real, minimal, real, minimal ...")
    parser.add_argument("--only", choices=sorted(SERVERS), help="run one server only")
    parser.add_argument(
        "--driver", choices=("auto", "wrk", "python"), default="auto", help="load generator"
    )
    parser.add_argument("--max-requests", type=int, default=0, help="pre-signed (0: auto)")
    parser.add_argument("--wait-quiet", type=float, default=30, help="wait up to S for idle CPU")
    parser.add_argument("--logs", help="keep server logs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.people > MAX_FICTIONAL:
        parser.error(f"--people at most {MAX_FICTIONAL}")
    if args.driver == "auto":
        args.driver = "wrk" if shutil.which("wrk") else "python"
    if not args.max_requests:  # enough for 4,000 requests/s, so none repeats a MessageSid
        args.max_requests = int((args.duration + args.warmup) * 4_000)
    if args.duration + args.warmup > 300:
        parser.error("keep --duration + --warmup under 300 s")

    print(f"machine: {machine_line()}")
    print(
        f"driver {args.driver}, {args.connections} connections, gunicorn --workers "
        f"{args.workers} (sync), {args.duration:.0f} s measured after {args.warmup:.0f} s"
    )
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="bench-inbound-"))
    logdir.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(args.server, args.db)
    engine = make_engine(db_url)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVERS}
    try:
        migrate(db_url)
        names = [args.only] if args.only else list(SERVERS)
        for round_no in range(args.rounds):
            for name in names:
                r = run_server(name, args, engine, db_url, 1000 * round_no + len(name), logdir)
                results[name].append(r)
                print(
                    f"round {round_no + 1} {name:<7} {r['rps']:8.1f} req/s   p50 "
                    f"{r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms   max {r['max_ms']:6.1f} ms"
                    f"   errors {r['errors']}"
                    + ("   (requests repeated: raise --max-requests)" if r["wrapped"] else "")
                )
                print(
                    f"        cores used: gunicorn {r['server_cores']:.2f}, postgres "
                    f"{r['pg_cores']:.2f}, load generator {r['driver_cores']:.2f}, other "
                    f"processes {r['others_cores']:.2f} (machine {r['machine_cores']:.2f} of 2)"
                )
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(args.server, args.db)
    for name, rs in results.items():
        if rs:
            print(f"{name} answered e.g.: {rs[0]['sample']}")
    if results["real"] and results["minimal"]:
        best = {name: max(r["rps"] for r in rs) for name, rs in results.items()}
        p50 = {name: min(r["p50_ms"] for r in rs) for name, rs in results.items()}
        print(
            f"\nbest of {args.rounds}: real {best['real']:.1f} req/s, minimal "
            f"{best['minimal']:.1f} req/s: the real app does {best['real'] / best['minimal']:.2f}x "
            f"the minimal throughput (p50 {p50['real']:.1f} vs {p50['minimal']:.1f} ms)"
        )
    print(f"logs: {logdir}")
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
