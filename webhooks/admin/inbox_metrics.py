"""/metrics for people who need a person: open cases, the oldest one's age, the overdue,
and the dashboard's alerts, read from the database at scrape time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from secondopinion.container import Clock
from webhooks.admin import alerts, inbox_queries


class InboxCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, limit: dt.timedelta) -> None:
        self.sessions, self.clock, self.limit = sessions, clock, limit

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        with self.sessions() as session:
            inbox = inbox_queries.summary(session, now, self.limit)
            flagged = alerts.alerts(session, now)
        oldest = inbox.oldest.total_seconds() if inbox.oldest is not None else 0.0
        yield GaugeMetricFamily("secondopinion_cases_open", "Open cases in the inbox", inbox.open)
        yield GaugeMetricFamily(
            "secondopinion_case_oldest_age_seconds", "Age of the oldest open case (0: none)", oldest
        )
        yield GaugeMetricFamily(
            "secondopinion_cases_overdue", "Open cases older than CASE_FLAG_HOURS", inbox.overdue
        )
        family = GaugeMetricFamily(
            "secondopinion_alerts", "The dashboard's alerts, by kind", labels=["kind"]
        )
        for alert in flagged:
            family.add_metric([alert.kind.value], alert.count)
        yield family
