"""Beat's schedule, kept in the beat process: no file, and a clock set back does not stall it.

Celery's default scheduler keeps when each task last ran in a shelve file. Two
deployments pointed at one path share (and overwrite) each other's times, and after
the clock is corrected backwards a "last run" in the future makes the sweep wait until
the clock catches up with it. Nothing here needs remembering across restarts: the sweep
runs every few seconds, and a beat that restarts simply sweeps one interval later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import beat


class SteadyEntry(beat.ScheduleEntry):
    last_run_at: dt.datetime

    def is_due(self) -> tuple[bool, float]:
        now = self.default_now()
        if self.last_run_at > now:  # the clock went back past the last run: due at once
            self.last_run_at = now - getattr(self.schedule, "run_every", dt.timedelta(0))
        result: tuple[bool, float] = self.schedule.is_due(self.last_run_at)
        return result


class SteadyScheduler(beat.Scheduler):
    """Celery's in-memory scheduler (no schedule file), with `SteadyEntry`."""

    Entry = SteadyEntry

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """Celery keeps its next runs as clock times; ones computed before the clock went
        back would all lie ahead, so they are worked out again from the entries."""
        if self._heap and self._ahead_of_the_clock(self._heap[0]):
            self.populate_heap()
        delay: float = super().tick(*args, **kwargs)
        return delay

    def _ahead_of_the_clock(self, event: Any) -> bool:
        """The next run lies further ahead than its entry's interval, or the last in the future."""
        entry = event[2]
        every = getattr(entry.schedule, "run_every", None)  # crontab entries have none
        too_far = every is not None and event[0] - self._when(entry, 0) > every.total_seconds() + 1
        return bool(too_far or entry.last_run_at > entry.default_now())


PATH = f"{__name__}:SteadyScheduler"  # beat_scheduler
