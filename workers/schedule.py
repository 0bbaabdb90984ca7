"""Beat's schedule, kept in the beat process: no file, and a clock set back does not stall it.

Celery's default scheduler keeps when each task last ran in a shelve file. Two
deployments pointed at one path share (and overwrite) each other's times, and after
the clock is corrected backwards a "last run" in the future makes the sweep wait until
the clock catches up with it. Nothing here needs remembering across restarts: the sweep
runs every few seconds, and a beat that restarts simply sweeps one interval later.

Runs fall on whole multiples of their interval on the clock (10:00:00, 10:00:15, ...), not
an interval after the beat started: reminders pushed out of quiet hours all fall due at
the window's opening (09:00:00 in each zone), and are swept that second rather than up
to a whole interval later.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from celery import beat


class SteadyEntry(beat.ScheduleEntry):
    last_run_at: dt.datetime

    def is_due(self) -> tuple[bool, float]:
        now = self.default_now()
        every = getattr(self.schedule, "run_every", None)  # crontab entries have none
        if self.last_run_at > now:  # the clock went back past the last run: due at once
            self.last_run_at = now - (every or dt.timedelta(0))
        if every is None:
            result: tuple[bool, float] = self.schedule.is_due(self.last_run_at)
            return result
        return on_the_beat(self.last_run_at, now, every.total_seconds())


def on_the_beat(last_run: dt.datetime, now: dt.datetime, every: float) -> tuple[bool, float]:
    """Due once past each whole multiple of `every` seconds on the clock; and the seconds
    until the next one."""
    latest = math.floor(now.timestamp() / every) * every  # the boundary at or before now
    return last_run.timestamp() < latest, latest + every - now.timestamp()


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
