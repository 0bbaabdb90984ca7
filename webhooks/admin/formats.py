"""How the dashboard writes durations and outcomes of a send, in plain words."""

from __future__ import annotations

import datetime as dt

from webhooks.admin.blueprint import bp

SEND_OUTCOMES = {
    "sent": "Sent.",
    "queued": "Queued: the simulator sends it within a few seconds.",
    "deferred": "Held for quiet hours: it goes when their morning starts.",
    "retry": "Twilio was busy: it will be tried again in a moment.",
    "unknown": "Twilio's answer was lost: it is checked with Twilio before it is sent again.",
    "cancelled": "Not sent: this person can no longer get texts.",
}
NOT_SENT = "Not sent: Twilio refused it. The person's timeline shows the error."


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


def send_outcome(outcome: str) -> str:
    return SEND_OUTCOMES.get(outcome, NOT_SENT)
