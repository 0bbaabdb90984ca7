"""How the dashboard writes a duration, in plain words."""

from __future__ import annotations

import datetime as dt

from webhooks.admin.blueprint import bp


@bp.app_template_filter("age")
def age(delta: dt.timedelta | None) -> str:
    """`2 days 4 h`, `3 h 20 min`, `12 min`: a case's wait at a glance."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    return f"{hours} h {mins} min" if hours else f"{mins} min"
