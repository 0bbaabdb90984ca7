"""The workers' health, from the heartbeats they write: shown on /admin and /metrics.

A worker that stopped, a beat that stopped, or a broker that is down all show the same
way: the sweep's heartbeat grows old. The catch-up's shows whether texts missed in an
outage are being read from Twilio.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from secondopinion.settings import Settings
from store import heartbeats

MIN_GRACE = dt.timedelta(minutes=1)
RETENTION_EVERY = dt.timedelta(hours=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Check:
    name: str  # heartbeats' name, and the metric's label
    what: str  # for staff
    age: dt.timedelta | None  # None: never seen
    late_after: dt.timedelta

    @property
    def ok(self) -> bool:
        return self.age is not None and self.age <= self.late_after


def checks(session: Session, settings: Settings, now: dt.datetime) -> list[Check]:
    """Each job's last run against how often it should run (with room for a slow run)."""
    seen = heartbeats.every(session)
    expected = {
        heartbeats.SWEEP: ("reminders swept", 4 * settings.sweep_interval_seconds),
        heartbeats.CATCH_UP: ("missed texts looked for", 3 * settings.catch_up_interval_seconds),
        heartbeats.RETENTION: ("old conversations forgotten", 2 * RETENTION_EVERY.total_seconds()),
    }
    found = []
    for name, (what, seconds) in expected.items():
        at = seen.get(name)
        late_after = max(dt.timedelta(seconds=seconds), MIN_GRACE)
        found.append(Check(name, what, now - at if at else None, late_after))
    return found
