"""The program view, the consent ledger export, the content view and /metrics."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from adminkit import ANA, BEN, enrol, get

from store import heartbeats
from store.db import transaction


def test_program_counts_people_and_languages(admin_app, staff):
    enrol(admin_app, ANA)
    enrol(admin_app, BEN, "SEGUNDA", "2")
    page = get(staff, "/admin/program").get_data(as_text=True)
    assert "<b>2</b> enrolled" in page
    assert "<b>1</b> in Spanish" in page and "<b>1</b> in English" in page
    assert "<polyline" in page


def test_the_consent_ledger_exports_every_event_as_csv(admin_app, staff):
    enrol(admin_app, ANA)
    response = get(staff, "/admin/consent.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["phone"], r["kind"], r["words"]) for r in rows] == [(ANA, "opt_in", "SECOND")]
    assert "Reply 1 for English" in rows[0]["shown_text"]


def test_the_content_view_shows_both_languages_with_segments(staff):
    page = get(staff, "/admin/content").get_data(as_text=True)
    assert "Le damos la bienvenida" in page and "Reply 1 for English" in page
    assert "UCS-2" in page.upper() or "ucs2" in page.lower()
    assert "segments" in page


def test_metrics_are_in_prometheus_format(admin_app, client):
    enrol(admin_app, ANA)
    body = admin_app.test_client().get("/metrics").get_data(as_text=True)
    assert 'secondopinion_messages{state="delivered"}' in body
    assert "secondopinion_reminders_due" in body and "secondopinion_reminders_late" in body
    assert 'secondopinion_webhook_seconds_count{path="/twilio/sms"} 2.0' in body


def test_the_workers_health_is_shown_on_the_program_page_and_in_metrics(admin_app, staff):
    svc = admin_app.extensions["secondopinion"]
    now = svc.clock()
    with transaction(svc.sessions) as session:
        heartbeats.beat(session, heartbeats.SWEEP, now - dt.timedelta(seconds=20))
        heartbeats.beat(session, heartbeats.CATCH_UP, now - dt.timedelta(minutes=30))
    page = get(staff, "/admin/program").get_data(as_text=True)
    assert re.search(r'id="job-sweep"><b>working</b>\s*reminders swept: 0 min 2\d s ago', page)
    assert re.search(r'id="job-catch_up"><b>late</b>\s*missed texts looked for: 30 min', page)
    assert re.search(r'id="job-retention"><b>late</b>\s*old conversations forgotten: never', page)
    body = admin_app.test_client().get("/metrics").get_data(as_text=True)
    assert 'secondopinion_job_up{job="sweep"} 1.0' in body
    assert 'secondopinion_job_up{job="catch_up"} 0.0' in body
    assert 'secondopinion_job_age_seconds{job="retention"} +Inf' in body
    assert re.search(r'secondopinion_job_age_seconds\{job="catch_up"\} 180\d\.', body)


def test_a_sweep_that_stopped_is_called_out(admin_app, staff):
    page = get(staff, "/admin/program").get_data(as_text=True)
    assert "Reminders are not being swept" in page
