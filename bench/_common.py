"""Shared by the benchmarks: loopback-only URLs, scratch databases, fictional numbers, stats.

Nothing here is imported by the service; the benchmarks add the repository root to
sys.path so they run as plain scripts (`.venv/bin/python bench/claim_query.py`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import math
import os
import socket
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, text  # noqa: E402

# The server, not a database: each benchmark makes its own scratch database on it.
DEFAULT_PG = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def redis_db(number: int) -> str:
    """A Redis database of the benchmark's own (BENCH_REDIS overrides it): it is flushed."""
    return os.environ.get("BENCH_REDIS", f"redis://127.0.0.1:6379/{number}")


DEFAULT_REDIS = redis_db(14)

# Same values as the tests use; nothing here is a real credential.
ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://secondopinion.example.org"
SENDER_NUMBER = "+12125550100"


# NANP keeps 555-0100 .. 555-0199 in every area code for fiction: 100 numbers per area code.
# Only area codes that phonenumbers places in the US are used, so the webhook's country
# check (ALLOWED_COUNTRIES) lets them through: 381 area codes, 38,100 numbers.
def _us_area_codes() -> tuple[int, ...]:
    import phonenumbers

    return tuple(
        ac
        for ac in range(200, 1000)
        if phonenumbers.region_code_for_number(phonenumbers.parse(f"+1{ac}5550100")) == "US"
    )


AREA_CODES = _us_area_codes()
MAX_FICTIONAL = len(AREA_CODES) * 100


def fictional_phone(i: int) -> str:
    """The i-th fictional number: +1 AAA 555 01xx, AAA the (i // 100)-th US area code."""
    if not 0 <= i < MAX_FICTIONAL:
        raise ValueError(f"only {MAX_FICTIONAL} fictional numbers in the 555-01xx scheme")
    return f"+1{AREA_CODES[i // 100]}55501{i % 100:02d}"


def fictional_phone_sql(expr: str) -> str:
    """SQL for fictional_phone() of an integer expression (0-based)."""
    codes = ",".join(str(ac) for ac in AREA_CODES)
    return (
        f"'+1' || (ARRAY[{codes}])[({expr}) / 100 + 1]::text || '55501' "
        f"|| lpad((({expr}) % 100)::text, 2, '0')"
    )


def require_loopback(url: str) -> None:
    """Every benchmark talks to this machine only."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing a non-loopback address: {url} (use 127.0.0.1)")


def database_url(server: str, name: str) -> str:
    require_loopback(server)
    return f"{server.rstrip('/')}/{name}"


def _admin(server: str):  # type: ignore[no-untyped-def]
    return create_engine(f"{server.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")


def fresh_database(server: str, name: str) -> str:
    """Drop and create `name` from the `postgres` database (as tests/conftest.py does)."""
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"bad database name: {name}")
    admin = _admin(server)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    admin = _admin(server)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "min": min(ms),
        "median": statistics.median(ms),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms),
    }


class Deadline:
    """A bound on the whole run: checked between steps, so a benchmark always ends."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self, what: str) -> None:
        if self.left() <= 0:
            raise TimeoutError(f"run exceeded its {self.seconds:.0f} s bound during: {what}")


def machine_line() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{cpus} cores ({model}), Python {sys.version.split()[0]}"


def migrate(url: str) -> None:
    """store.migrate.upgrade(url); if the tree has two heads mid-edit, upgrade to all of them."""
    from alembic.util.exc import CommandError

    from store.migrate import upgrade

    try:
        upgrade(url)
    except CommandError as problem:
        if "head" not in str(problem).lower():
            raise
        print(f"warning: {problem}; upgrading to 'heads' instead", file=sys.stderr)
        upgrade(url, "heads")


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]), idle


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all cores busy over `seconds` (0..1): other people's work on a shared box."""
    total0, idle0 = _cpu_times()
    time.sleep(seconds)
    total1, idle1 = _cpu_times()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait up to `max_wait` s for the machine to be idle; the last busy share measured."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    if busy > threshold:
        print(f"warning: machine {busy:.0%} busy before the run: figures will be low/noisy")
    return busy


class CpuMeter:
    """Whole-machine CPU use between start() and stop(), in cores (2.0 = both saturated)."""

    def start(self) -> None:
        self.t0, self.idle0 = _cpu_times()
        self.wall0 = time.monotonic()

    def stop(self) -> float:
        total, idle = _cpu_times()
        span = max(total - self.t0, 1)
        return (os.cpu_count() or 1) * (1 - (idle - self.idle0) / span)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers under its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return sorted(found)


def tree_cpu_seconds(root: int) -> float:
    """A process and its direct children (gunicorn's master and workers)."""
    return cpu_seconds(root) + sum(cpu_seconds(child) for child in children_of(root))


def bench_parser(
    doc: str, db: str, db_help: str | None = None, redis: str | None = None
) -> argparse.ArgumentParser:
    """The options every benchmark has: its docstring as help, the PostgreSQL server and
    its scratch database, and, for those that start workers, a Redis database of its own."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        epilog=doc.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--server", default=DEFAULT_PG, help="PostgreSQL server URL (loopback)")
    parser.add_argument("--db", default=db, help=db_help)
    if redis is not None:
        parser.add_argument("--redis", default=redis, help="a Redis db of its own: FLUSHED")
    return parser


def postgres_cpu_seconds() -> float:
    """All postgres processes together (the server's backends for every client)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def empty_tables(engine: Engine) -> None:
    """Every table but Alembic's, emptied and its ids restarted."""
    with engine.begin() as c:
        names = c.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        c.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


def daytime_zone(now: dt.datetime) -> str:
    """A fixed-offset zone where it is early afternoon now, so quiet hours never hold a send."""
    shift = (13 - now.astimezone(dt.UTC).hour + 12) % 24 - 12  # hours east of UTC
    return "Etc/GMT" if shift == 0 else f"Etc/GMT{-shift:+d}"
