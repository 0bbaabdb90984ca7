"""Benchmark lateness: how long after it falls due each reminder reaches (the fake) Twilio.

10,000 enrolled, consenting people (fictional +1 AAA 555 01xx numbers) in four US time
zones, each with one reminder, all falling due at the same moment: a quarter of them in
each zone. The service reads the real clock (it has no clock to set), so "10:00 local" is
brought to now: the four zones are US zones where it is sending hours right now (09:00 to
19:30 local, inside the product's 09:00-20:00 window; at the hours when fewer than four
are, 05:30-14:00 UTC in winter, the rest are zones elsewhere, and the script says which),
and every reminder, once seeded (due a day ahead) with the processes up, is set due at the
next whole minute at least --lead seconds ahead, in one UPDATE (`--any-second`: --lead
seconds ahead, whatever the second).
That is the load of four zones whose 10:00 falls at one instant (America/New_York,
Detroit, Indiana/Indianapolis and Kentucky/Louisville do exactly that), the worst case
for one sender.

The real processes, as the Procfile starts them: ONE `celery -A workers worker --pool
threads --concurrency 8` and ONE `celery -A workers beat` (with --sweep-interval, default
the product's 15 s), against a fake Twilio in its own process (`python -m twilio_double`).
Two modes, each from an empty database and a flushed Redis db:

  rate100  SEND_RATE_PER_SECOND=100 (a short code's rate, shared through Redis): the
           lateness of each reminder (accepted by the fake - due), p50 and p99, against
           the ideal: its position in the queue / the rate (i / 100 s for the i-th).
  nolimit  SEND_RATE_PER_SECOND=100000: target p99 lateness <= sweep interval + 5 s.

Each reminder's lateness is split at its claim: due -> claimed by a sweep (waiting for the
beat) and claimed -> accepted (the queue and the send). Every number must get exactly one
text. Bounded: each mode stops at --mode-timeout (default 300 s); the defaults take ~5 min
on a quiet machine (~2 min for rate100). Drops its database and flushes its Redis db.

    .venv/bin/python bench/lateness.py
    .venv/bin/python bench/lateness.py --modes nolimit --reminders 2000 --wait-quiet 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redis
from _common import (
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
    postgres_cpu_seconds,
    redis_db,
    require_loopback,
    tree_cpu_seconds,
    wait_quiet,
)
from _procs import service_env, start_beat, start_fake, start_worker, stop_fake
from seeding import analyze, counts, seed_people, seed_reminders
from sqlalchemy import Engine, select, update

from store.db import make_engine
from store.models import ConversationRow, HeartbeatRow, ReminderRow
from twilio_double import RemoteFakeTwilio

TERMINAL = ("sent", "failed", "cancelled", "skipped")
SLACK = 5.0  # the no-limit target: p99 <= sweep interval + this

# US zones (states and territories), by UTC offset; each offset's first zone is the big one.
US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Detroit",
    "America/Indiana/Indianapolis",
    "America/Kentucky/Louisville",
    "America/Indiana/Knox",
    "America/Menominee",
    "America/Boise",
    "America/Phoenix",
    "America/Anchorage",
    "America/Juneau",
    "America/Puerto_Rico",
    "America/St_Thomas",
    "Pacific/Honolulu",
    "Pacific/Guam",
    "Pacific/Saipan",
    "Pacific/Pago_Pago",
)
# Used only when fewer than four US zones are in sending hours (05:30-14:00 UTC in winter):
# one zone for each whole offset from UTC-3 to UTC+13, where the US has none; with the US
# zones, four are open at every moment of the year (checked every 5 minutes of a winter, a
# spring and a summer day). The rules a reminder goes through are the same in every zone;
# the people keep their US numbers.
OTHER_ZONES = (
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Noronha",
)
OPEN, CLOSE = dt.time(9, 0), dt.time(19, 30)  # inside the product's 09:00-20:00 window


def open_zones(now: dt.datetime, zones: tuple[str, ...]) -> list[str]:
    """Those of `zones` where it is sending hours at `now`."""
    return [z for z in zones if OPEN <= now.astimezone(ZoneInfo(z)).time() < CLOSE]


def pick_zones(now: dt.datetime, count: int = 4) -> list[str]:
    """`count` zones where it is sending hours now, distinct offsets first: US zones, and
    zones elsewhere only at the hours when fewer than `count` US zones are open."""
    chosen = _distinct_offsets_first(now, open_zones(now, US_ZONES))
    if len(chosen) < count:
        others = _distinct_offsets_first(now, open_zones(now, OTHER_ZONES))
        chosen += others[: count - len(chosen)]
        if len(chosen) < count:
            raise SystemExit(f"only {len(chosen)} zones are in sending hours at {now:%H:%M} UTC")
        print(
            f"   at {now:%H:%M} UTC fewer than {count} US zones are in sending hours: "
            f"taking {', '.join(chosen)}"
        )
    return chosen[:count]


def _distinct_offsets_first(now: dt.datetime, open_now: list[str]) -> list[str]:
    chosen: list[str] = []
    offsets: set[Any] = set()
    for zone in open_now:  # one per offset first (New York, Chicago, ...), then the rest
        offset = now.astimezone(ZoneInfo(zone)).utcoffset()
        if offset not in offsets:
            offsets.add(offset)
            chosen.append(zone)
    return chosen + [z for z in open_now if z not in chosen]


def seed(engine: Engine, phones: list[str], zones: list[str], due: dt.datetime) -> None:
    """People, their consent and one `phrase` reminder each, in three multi-row inserts."""
    made = due - dt.timedelta(days=1)
    with engine.begin() as c:
        seed_people(c, phones, made, zones)
        seed_reminders(c, len(phones), due, made)
    analyze(engine)


def swept(engine: Engine) -> bool:
    with engine.connect() as c:
        return (
            c.execute(select(HeartbeatRow.at).where(HeartbeatRow.name == "sweep")).first()
            is not None
        )


def run_mode(
    args: argparse.Namespace,
    engine: Engine,
    db_url: str,
    fake: RemoteFakeTwilio,
    mode: str,
    logdir: Path,
) -> dict[str, Any]:
    rate = 100.0 if mode == "rate100" else 100_000.0
    empty_tables(engine)
    redis.Redis.from_url(args.redis).flushdb()
    fake.reset()
    if args.wait_quiet:
        wait_quiet(args.wait_quiet)
    mode_dir = logdir / mode
    mode_dir.mkdir()
    env = service_env(db_url, args.redis, fake.base_url, args.sweep_interval, rate)
    pg0, fake0 = postgres_cpu_seconds(), cpu_seconds(args.fake_pid)
    meter = CpuMeter()
    meter.start()
    t0 = time.monotonic()
    worker = start_worker(env, mode_dir)
    beat = start_beat(env, mode_dir)
    try:
        while not swept(engine):  # worker, beat, broker and database all up
            if not (worker.alive() and beat.alive()):
                raise SystemExit(f"a celery process exited early: see {mode_dir}")
            if time.monotonic() - t0 > 120:
                raise SystemExit(f"no sweep within 120 s: see {mode_dir}")
            time.sleep(0.2)
        zones = pick_zones(dt.datetime.now(dt.UTC))
        phones = [fictional_phone(i) for i in range(args.reminders)]
        seed(engine, phones, zones, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        # Then brought to `lead` seconds from now in one statement: seeding's own time
        # (slow on a busy machine) is not counted as lateness.
        due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead)
        if not args.any_second:  # on the minute, as 10:00 is (and every 09:00 opening)
            due = due.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        with engine.begin() as c:
            c.execute(update(ReminderRow).values(due_at=due))
        if dt.datetime.now(dt.UTC) >= due:
            print(f"warning: setting the due time took longer than --lead {args.lead} s")
        deadline = time.monotonic() + args.mode_timeout
        done, last = False, Counter[str]()
        while time.monotonic() < deadline:
            last = counts(engine)
            if sum(last[s] for s in TERMINAL) >= args.reminders:
                done = True
                break
            if not (worker.alive() and beat.alive()):
                raise SystemExit(f"a celery process exited early: see {mode_dir}")
            time.sleep(0.5)
        wall = time.monotonic() - t0
        worker_cpu, beat_cpu = tree_cpu_seconds(worker.pid), cpu_seconds(beat.pid)
        pg_cpu = max(postgres_cpu_seconds() - pg0, 0.0)  # backends that exited drop out
        fake_cpu = cpu_seconds(args.fake_pid) - fake0
        cores = meter.stop()
    finally:
        worker.stop()
        beat.stop()
    ours = worker_cpu + beat_cpu + pg_cpu + fake_cpu + cpu_seconds(os.getpid())
    others = max(cores * wall - ours, 0.0) / wall

    with engine.connect() as c:
        claimed_at = dict(
            c.execute(
                select(ConversationRow.phone, ReminderRow.claimed_at).join(
                    ConversationRow, ConversationRow.id == ReminderRow.conversation_id
                )
            ).all()
        )
    messages = fake.messages
    received = Counter(m["to"] for m in messages)
    accepted = sorted((dt.datetime.fromisoformat(m["received_at"]), m["to"]) for m in messages)
    late = [(at - due).total_seconds() for at, _ in accepted]
    ideal = [i / rate for i in range(1, len(late) + 1)]
    waits = [(claimed_at[to] - due).total_seconds() for _, to in accepted if claimed_at.get(to)]
    queue = [(at - claimed_at[to]).total_seconds() for at, to in accepted if claimed_at.get(to)]
    span = (accepted[-1][0] - accepted[0][0]).total_seconds() if len(accepted) > 1 else 0.0
    local = ", ".join(f"{z} {due.astimezone(ZoneInfo(z)):%H:%M}" for z in zones)
    return {
        "mode": mode,
        "rate": rate,
        "done": done,
        "statuses": dict(last),
        "zones": local,
        "n": len(late),
        "once_each": len(messages) == len(phones)
        and set(received) == set(phones)
        and max(received.values(), default=0) == 1,
        "late": late,
        "ideal": ideal,
        "excess": [a - b for a, b in zip(late, ideal, strict=True)],
        "waits": waits,
        "queue": queue,
        "throughput": (len(accepted) - 1) / span if span else 0.0,
        "worker_cpu": worker_cpu,
        "beat_cpu": beat_cpu,
        "pg_cpu": pg_cpu,
        "fake_cpu": fake_cpu,
        "others": others,
        "logs": str(mode_dir),
    }


def show(r: dict[str, Any], sweep_interval: float) -> bool:
    def p(values: list[float], q: float) -> float:
        return percentile(values, q) if values else float("nan")

    late, ideal = r["late"], r["ideal"]
    print(
        f"\n== {r['mode']}: SEND_RATE_PER_SECOND={r['rate']:g}, {r['n']:,} accepted "
        f"({r['throughput']:.1f}/s first->last); exactly once: "
        f"{'yes' if r['once_each'] else 'NO'}"
        + ("" if r["done"] else f"  TIMED OUT {r['statuses']}")
    )
    print(f"   due at: {r['zones']} (local)")
    print("                        p50        p99        max")
    rows = [
        ("lateness (due->accepted)", late),
        ("due -> claimed (sweep)", r["waits"]),
        ("claimed -> accepted", r["queue"]),
    ]
    if r["mode"] == "rate100":
        rows += [("ideal (i / rate)", ideal), ("lateness - ideal", r["excess"])]
    for name, values in rows:
        print(
            f"   {name:<25} {p(values, 50):7.2f} s  {p(values, 99):7.2f} s  "
            f"{max(values, default=float('nan')):7.2f} s"
        )
    print(
        f"   CPU s: worker {r['worker_cpu']:.1f}, beat {r['beat_cpu']:.1f}, "
        f"fake Twilio {r['fake_cpu']:.1f}, postgres {r['pg_cpu']:.1f}; "
        f"other processes {r['others']:.2f} cores"
    )
    ok = bool(r["done"] and r["once_each"] and late)
    if r["mode"] == "rate100" and late:
        print(
            f"   p50 {p(late, 50) / p(ideal, 50):.3f}x the ideal, "
            f"p99 {p(late, 99) / p(ideal, 99):.3f}x the ideal"
        )
    if r["mode"] == "nolimit" and late:
        target = sweep_interval + SLACK
        met = p(late, 99) <= target
        ok &= met
        print(
            f"   target p99 <= {target:g} s (sweep interval + {SLACK:g} s): "
            f"{'PASS' if met else 'FAIL'}"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "secondopinion_bench_lateness", redis=redis_db(12))
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument(
        "--modes", nargs="+", choices=["rate100", "nolimit"], default=["rate100", "nolimit"]
    )
    parser.add_argument(
        "--sweep-interval",
        type=float,
        default=15.0,
        help="SWEEP_INTERVAL_SECONDS (the product's default: 15)",
    )
    parser.add_argument("--lead", type=float, default=2.0, help="seconds from seeding to due")
    parser.add_argument(
        "--any-second",
        action="store_true",
        help="due --lead s from now, not at the next whole minute (as 10:00 local is)",
    )
    parser.add_argument("--mode-timeout", type=float, default=300, help="seconds per mode")
    parser.add_argument("--wait-quiet", type=float, default=60, help="wait up to S for idle CPU")
    parser.add_argument("--logs", help="keep the processes' logs here (default: a temp dir)")
    args = parser.parse_args(argv)
    require_loopback(args.redis)
    if args.redis.rstrip("/").endswith(("/0", ":6379")):
        parser.error("give --redis a dedicated database number, e.g. redis://127.0.0.1:6379/12")

    print(f"machine: {machine_line()}")
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="bench-lateness-"))
    logdir.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(args.server, args.db)
    engine = make_engine(db_url)
    fake_process, base_url = start_fake(logdir)
    args.fake_pid = fake_process.pid
    ok = True
    try:
        migrate(db_url)
        fake = RemoteFakeTwilio(base_url, timeout=60)
        for mode in args.modes:
            ok &= show(run_mode(args, engine, db_url, fake, mode, logdir), args.sweep_interval)
    finally:
        engine.dispose()
        stop_fake(fake_process)
        redis.Redis.from_url(args.redis).flushdb()
        drop_database(args.server, args.db)
    print(f"\nlogs: {logdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
