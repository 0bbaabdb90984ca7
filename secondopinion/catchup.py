"""Nothing a patient sent is lost: after an outage, the texts Twilio received that are not
stored are read from its log and stepped, oldest first, once each, by the webhook's own
code (secondopinion.conversation.receive_text); delivery reports that never came are
looked up the same way.

It runs every CATCH_UP_INTERVAL_SECONDS (beat), before any sweep whose inbound texts
are not known to be complete (so a STOP sent during the outage wins over a reminder),
and as `secondopinion catch-up --since …`.
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
from store.db import transaction

log = logging.getLogger(__name__)
LEFT_TO_THE_WEBHOOK = dt.timedelta(seconds=30)  # younger texts may still be on their way in
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

    def asdict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def catch_up(svc: Services, now: dt.datetime, since: dt.datetime | None = None) -> dict[str, int]:
    """One run over [since, now - a little]; by default since the last run's watermark."""
    until = now - LEFT_TO_THE_WEBHOOK
    start = since or _watermark(svc, now) - OVERLAP
    program = svc.settings.twilio_from_number or None
    texts = [t for t in svc.history.received(program, start) if t.sent_at < until]
    tally = Tally(listed=len(texts))
    with svc.sessions() as session:
        stored = messages.known(session, [text.sid for text in texts])
    missing = [text for text in texts if text.sid not in stored]
    for position, text in enumerate(missing):
        _one(svc, text, _overtaken(text, missing[position + 1 :]), tally)
    tally.reports = reconcile_reports(svc, now)
    with transaction(svc.sessions) as session:
        if since is None or since <= _watermark(svc, now):
            heartbeats.beat(session, heartbeats.INBOUND, until)
        heartbeats.beat(session, heartbeats.CATCH_UP, now)
    if tally.processed or tally.reports:
        log.info("catch-up: %s", tally.asdict())
    return tally.asdict()


def _one(svc: Services, text: Received, overtaken: bool, tally: Tally) -> None:
    """Step one missed text as the webhook would have, at the time it was sent."""
    phone = to_e164(text.phone)
    if phone is None or not is_allowed(phone, svc.settings.allowed_countries):
        tally.ignored += 1  # the webhook would not have answered it either
        return
    zone = guess_timezone(phone, svc.settings.program_timezone)
    msg = Inbound(phone, text.sid, text.body, zone, late=True, overtaken=overtaken)
    with transaction(svc.sessions) as session:
        answer = receive_text(session, svc.machine, msg, text.sent_at)
    if not answer.duplicate:
        tally.processed += 1
        tally.stale += answer.stale


def _overtaken(text: Received, later: Sequence[Received]) -> bool:
    return any(other.phone == text.phone for other in later)


def _watermark(svc: Services, now: dt.datetime) -> dt.datetime:
    with svc.sessions() as session:
        return heartbeats.last(session, heartbeats.INBOUND) or now - FIRST_LOOK


def behind(svc: Services, now: dt.datetime) -> bool:
    """Inbound texts are not known to be complete: the periodic run has not been working."""
    if not svc.settings.twilio_account_sid:
        return False  # no Twilio to read from (the sandbox): the webhook is all there is
    allowed = 2 * dt.timedelta(seconds=svc.settings.catch_up_interval_seconds)
    return _watermark(svc, now) < now - LEFT_TO_THE_WEBHOOK - allowed


def reconcile_reports(svc: Services, now: dt.datetime) -> int:
    """Texts whose delivery report is later than normal: asked of Twilio, once each."""
    late = now - dt.timedelta(seconds=svc.settings.delivery_report_wait_seconds)
    with svc.sessions() as session:
        sids = messages.awaiting_report(session, late, REPORTS_PER_RUN)
    changed = 0
    for sid in sids:
        report = svc.history.report(sid)
        with transaction(svc.sessions) as session:
            if report is not None:
                code = report.error_code
                changed += delivery_report(session, svc.machine, sid, report.status, code, now)
            messages.report_looked_up(session, [sid], now)
    return changed
