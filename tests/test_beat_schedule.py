"""Beat keeps its schedule in memory: no shared file, and a clock set back never stalls it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import time_machine
from celery.beat import Scheduler
from kombu.utils.imports import symbol_by_name

from secondopinion.settings import Settings
from tests.processes import Service, wait_until
from workers.factory import make_celery
from workers.schedule import on_the_beat

ROOT = Path(__file__).resolve().parent.parent
START = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


def sweeps_sent(scheduler: Scheduler) -> int:
    return scheduler.schedule["sweep-reminders"].total_run_count


def run_what_is_due(scheduler: Scheduler) -> None:
    """Tick as beat does: one due entry per tick, until the next one is in the future."""
    for _ in range(10):
        if scheduler.tick() > 0:
            return


def test_a_clock_corrected_backwards_does_not_stall_the_sweep(tmp_path: Path) -> None:
    """Beat as configured, ticked by hand while time-machine moves its clock."""
    settings = Settings(embedded_broker_url="memory://")
    app = make_celery(settings)
    every = dt.timedelta(seconds=settings.sweep_interval_seconds)
    with time_machine.travel(START, tick=False) as clock:
        configured = symbol_by_name(app.conf.beat_scheduler)
        scheduler = configured(app=app, lazy=False, schedule_filename=str(tmp_path / "schedule"))
        clock.shift(every + dt.timedelta(seconds=1))
        run_what_is_due(scheduler)
        assert sweeps_sent(scheduler) == 1
        clock.move_to(START - dt.timedelta(hours=1))  # NTP corrects a clock that ran fast
        clock.shift(every + dt.timedelta(seconds=1))
        run_what_is_due(scheduler)
        assert sweeps_sent(scheduler) == 2  # not an hour from now
        clock.shift(every + dt.timedelta(seconds=1))
        run_what_is_due(scheduler)
        assert sweeps_sent(scheduler) == 3
    scheduler.close()


def procfile_beat() -> list[str]:
    """The Procfile's beat command, run with this interpreter."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("beat:"))
    words = line.removeprefix("beat:").split()
    assert words[0] == "celery"
    assert not {"-s", "--schedule"} & set(words), "a schedule file at a fixed path"
    return [sys.executable, "-m", "celery", *words[1:]]


def sweeps_logged(service: Service) -> int:
    return service.log.read_text().count("Sending due task sweep-reminders")


def test_two_beats_from_the_procfile_in_one_folder_both_sweep_and_write_no_file(
    tmp_path: Path,
) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "EMBEDDED_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "PYTHONPATH": str(ROOT),
    }
    beats = [Service(procfile_beat(), env, tmp_path / f"{n}.log", cwd=tmp_path) for n in (1, 2)]
    try:
        for service in beats:
            assert wait_until(lambda s=service: sweeps_logged(s) >= 3, timeout=30)
    finally:
        for service in beats:
            service.stop()
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".log"))
    assert kept == ["broker.db"], kept  # no schedule file, in the folder or anywhere given


UTC = dt.UTC


def test_runs_fall_on_whole_multiples_of_the_interval_on_the_clock() -> None:
    start = dt.datetime(2026, 12, 2, 14, 0, 0, tzinfo=UTC)  # 09:00:00 in New York
    just_before = start - dt.timedelta(seconds=4.2)  # the beat's last run, 4.2 s earlier
    due, wait = on_the_beat(just_before, start + dt.timedelta(seconds=0.1), 15)
    assert (due, round(wait, 6)) == (True, 14.9)
    ran = start + dt.timedelta(seconds=0.1)
    due, wait = on_the_beat(ran, start + dt.timedelta(seconds=7), 15)
    assert (due, round(wait, 6)) == (False, 8.0)  # not again until 14:00:15
    assert on_the_beat(ran, start + dt.timedelta(seconds=15), 15)[0] is True


def test_a_beat_started_mid_interval_runs_at_the_next_boundary_not_an_interval_later() -> None:
    started = dt.datetime(2026, 12, 2, 13, 59, 47, tzinfo=UTC)
    due, wait = on_the_beat(started, started, 15)
    assert (due, round(wait, 6)) == (False, 13.0)  # at 14:00:00, not at 14:00:02
