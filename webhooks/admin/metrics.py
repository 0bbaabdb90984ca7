"""GET /metrics in Prometheus' text format: message counts, webhook latency, reminders due."""

from __future__ import annotations

import datetime as dt
import hmac
import time
from collections.abc import Iterator

from flask import Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session, sessionmaker

from secondopinion import health, traffic
from secondopinion.container import Clock, Services
from secondopinion.settings import Settings
from store.models import MessageRow, ReminderRow
from store.reminders import PENDING
from webhooks.admin.inbox_metrics import InboxCollector

LATE_AFTER = dt.timedelta(minutes=5)
# Twilio's outbound statuses, grouped the way the issue counts them.
GROUPS = {
    "sent": ("queued", "sending", "sent", "accepted"),
    "delivered": ("delivered", "read"),
    "failed": ("failed", "undelivered", "canceled"),
}


class DatabaseCollector(Collector):
    """Counts read from the database at scrape time, so every process reports the same."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, settings: Settings) -> None:
        self.sessions, self.clock, self.settings = sessions, clock, settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        with self.sessions() as session:
            jobs = health.checks(session, self.settings, now)
            by_status = _pairs(
                session.execute(
                    select(MessageRow.status, func.count())
                    .where(MessageRow.direction == "out", MessageRow.sid.is_not(None))
                    .group_by(MessageRow.status)
                )
            )
            due = _pending(session, now)
            late = _pending(session, now - LATE_AFTER)
        messages = GaugeMetricFamily(
            "secondopinion_messages", "Outbound texts by delivery state", labels=["state"]
        )
        for group, statuses in GROUPS.items():
            messages.add_metric([group], sum(by_status.get(s, 0) for s in statuses))
        yield messages
        yield GaugeMetricFamily("secondopinion_reminders_due", "Pending reminders now due", due)
        yield GaugeMetricFamily(
            "secondopinion_reminders_late", "Pending reminders due over 5 minutes ago", late
        )
        yield from self._traffic(now)
        yield from _workers(jobs)

    def _traffic(self, now: dt.datetime) -> Iterator[GaugeMetricFamily]:
        """Last hour's new numbers and answers, and 1 when far above the usual (SMS pumping)."""
        with self.sessions() as session:
            seen = traffic.check(
                session, now, self.settings.pumping_factor, self.settings.pumping_min_per_hour
            )
        hour = GaugeMetricFamily(
            "secondopinion_last_hour", "New numbers and answers in the last hour", labels=["what"]
        )
        alarm = GaugeMetricFamily(
            "secondopinion_traffic_alarm", "1: far above the usual hour", labels=["what"]
        )
        for t in seen:
            hour.add_metric([t.what], t.last_hour)
            alarm.add_metric([t.what], int(t.alarm))
        yield hour
        yield alarm


def _workers(jobs: list[health.Check]) -> Iterator[GaugeMetricFamily]:
    """The workers' heartbeats: how long ago each job last ran, and whether that is late."""
    age = GaugeMetricFamily(
        "secondopinion_job_age_seconds", "Seconds since a worker job last ran", labels=["job"]
    )
    up = GaugeMetricFamily(
        "secondopinion_job_up", "1 when the job ran recently enough, else 0", labels=["job"]
    )
    for job in jobs:
        age.add_metric([job.name], job.age.total_seconds() if job.age else float("inf"))
        up.add_metric([job.name], int(job.ok))
    yield age
    yield up


def _pending(session: Session, before: dt.datetime) -> int:
    query = select(func.count()).where(ReminderRow.status == PENDING, ReminderRow.due_at <= before)
    return session.scalar(query) or 0


def init_app(app: Flask) -> None:
    """One registry per app: the latency histogram of this process and the database's counts."""
    svc: Services = app.extensions["secondopinion"]
    registry = CollectorRegistry()
    latency = Histogram(
        "secondopinion_webhook_seconds",
        "Time to answer a Twilio webhook",
        ["path"],
        registry=registry,
    )
    settings = svc.settings
    registry.register(DatabaseCollector(svc.sessions, lambda: svc.clock(), settings))
    registry.register(InboxCollector(svc.sessions, lambda: svc.clock(), settings.case_flag_after))

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        route = request.url_rule.rule if request.url_rule else ""  # never the raw path
        if started is not None and route.startswith("/twilio/"):
            latency.labels(route).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        if not _allowed(svc.settings.metrics_token, svc.settings.sandbox):
            abort(404)  # as if there were none: a scraper learns nothing
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _allowed(token: str, sandbox: bool) -> bool:
    """The bearer token when METRICS_TOKEN is set; unset, open only in the local sandbox."""
    if not token:
        return sandbox
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def _pairs(result: Result[str, int]) -> dict[str, int]:
    return {key: value for key, value in result}
