"""Nothing a patient sent is lost: texts Twilio received that are not stored (the webhook
got a 503, or never got through) are read from its log and stepped, oldest first, once
each, by the webhook's own code (secondopinion.conversation.receive_text); delivery
reports that never came are looked up the same way.

Texts are read before every sweep, so a STOP sent during an outage is honoured before
any reminder goes out; texts and reports every CATCH_UP_INTERVAL_SECONDS (beat); and on
demand with `secondopinion catch-up --since …`. A text younger than SETTLE may still be
on its way to the webhook: it is left to it, and its sender gets no reminder meanwhile.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence

from flows.phones import guess_timezone, is_allowed, to_e164
from secondopinion.container import Services
from secondopinion.conversation import Inbound, receive_text
from secondopinion.delivery import delivery_report
from secondopinion.history import Received
from store import heartbeats, messages
from store.db import UNAVAILABLE, transaction

log = logging.getLogger(__name__)
SETTLE = dt.timedelta(seconds=10)  # a younger text is left to the webhook (still arriving)
OVERLAP = dt.timedelta(minutes=2)  # each run reads again a little of the last one's window
FIRST_LOOK = dt.timedelta(minutes=10)  # how far back a service that never caught up looks
REPORTS_PER_RUN = 200


@dataclasses.dataclass
class Tally:
    listed: int = 0
    processed: int = 0
    stale: int = 0
    ignored: int = 0  # not a number we answer (outside the allowed countries)
    reports: int = 0
    failed: int = 0  # could not be stored (a bug): tried again at every run until it is
    waiting: set[str] = dataclasses.field(default_factory=set)  # numbers with texts not in yet
    retry_from: dt.datetime | None = None  # the oldest text that failed

    def asdict(self) -> dict[str, int]:
        counts = dataclasses.asdict(self)
        counts["waiting"] = len(self.waiting)
        return counts


def catch_up(svc: Services, now: dt.datetime, since: dt.datetime | None = None) -> dict[str, int]:
    """Missed texts, then late delivery reports (the beat task and the command line)."""
    tally = catch_up_texts(svc, now, since)
    tally.reports = reconcile_reports(svc, now)
    with transaction(svc.sessions) as session:
        heartbeats.beat(session, heartbeats.CATCH_UP, now)
    if tally.processed or tally.reports:
        log.info("catch-up: %s", tally.asdict())
    return tally.asdict()


def catch_up_texts(svc: Services, now: dt.datetime, since: dt.datetime | None = None) -> Tally:
    """Every text in Twilio's log from `since` (the last run's watermark) that is not
    stored, stepped as the webhook would have, at the time it was sent."""
    settled = now - SETTLE
    start = since or _watermark(svc, now) - OVERLAP
    texts = svc.history.received(svc.settings.twilio_from_number or None, start)
    with svc.sessions() as session:
        stored = messages.known(session, [text.sid for text in texts])
    missing = [text for text in texts if text.sid not in stored]
    tally = Tally(listed=len(texts))
    tally.waiting = {text.phone for text in missing if text.sent_at >= settled}
    ready = [text for text in missing if text.sent_at < settled]
    for position, text in enumerate(ready):
        _one(svc, text, _overtaken(text, ready[position + 1 :]), tally)
    with transaction(svc.sessions) as session:
        if since is None or since <= _watermark(svc, now):
            heartbeats.beat(session, heartbeats.INBOUND, tally.retry_from or settled)
    return tally


def _one(svc: Services, text: Received, overtaken: bool, tally: Tally) -> None:
    phone = to_e164(text.phone)
    if phone is None or not is_allowed(phone, svc.settings.allowed_countries):
        tally.ignored += 1  # the webhook would not have answered it either
        return
    zone = guess_timezone(phone, svc.settings.program_timezone)
    msg = Inbound(phone, text.sid, text.body, zone, late=True, overtaken=overtaken)
    try:
        with transaction(svc.sessions) as session:
            answer = receive_text(
                session, svc.machine, msg, text.sent_at, svc.settings.reply_budget
            )
    except UNAVAILABLE:
        raise  # the database is away: the whole run waits for it
    except Exception:  # this text only: its sender gets no reminder until it is taken in
        log.exception("catch-up: a text could not be taken in; it is tried again next run")
        tally.failed += 1
        tally.waiting.add(phone)
        tally.retry_from = tally.retry_from or text.sent_at
        return
    if not answer.duplicate:
        tally.processed += 1
        tally.stale += answer.stale


def _overtaken(text: Received, later: Sequence[Received]) -> bool:
    return any(other.phone == text.phone for other in later)


def _watermark(svc: Services, now: dt.datetime) -> dt.datetime:
    with svc.sessions() as session:
        return heartbeats.last(session, heartbeats.INBOUND) or now - FIRST_LOOK


def reconcile_reports(svc: Services, now: dt.datetime) -> int:
    """Texts whose delivery report is later than normal: asked of Twilio, once each."""
    late = now - dt.timedelta(seconds=svc.settings.delivery_report_wait_seconds)
    with svc.sessions() as session:
        sids = messages.awaiting_report(session, late, REPORTS_PER_RUN)
    applied = 0
    for sid in sids:
        report = svc.history.report(sid)
        with transaction(svc.sessions) as session:
            if report is not None:
                code = report.error_code
                applied += delivery_report(session, svc.machine, sid, report.status, code, now)
            messages.report_looked_up(session, [sid], now)
    return applied
