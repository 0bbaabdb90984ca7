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
    assert "<b>2</b> signed up" in page
    assert "<b>1</b> in Spanish" in page and "<b>1</b> in English" in page
    assert "<polyline" in page


def test_the_consent_ledger_exports_every_event_as_csv(admin_app, staff):
    enrol(admin_app, ANA)
    response = get(staff, "/admin/consent.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["phone"], r["kind"], r["words"]) for r in rows] == [(ANA, "opt_in", "SECOND")]
    assert "Reply 1 to go on in English" in rows[0]["shown_text"]


def test_the_content_view_shows_both_languages_with_segments(staff):
    page = get(staff, "/admin/content").get_data(as_text=True)
    assert "Le damos la bienvenida" in page and "Reply 1 to go on in English" in page
    assert "UCS-2" in page.upper() or "ucs2" in page.lower()
    assert "segments" in page


def test_metrics_are_in_prometheus_format(admin_app, client):
    enrol(admin_app, ANA)
    bearer = {"Authorization": "Bearer test-metrics-token"}
    body = admin_app.test_client().get("/metrics", headers=bearer).get_data(as_text=True)
    assert 'secondopinion_messages{state="delivered"}' in body
    assert "secondopinion_reminders_due" in body and "secondopinion_reminders_late" in body
    assert 'secondopinion_webhook_seconds_count{path="/twilio/sms"} 2.0' in body


def test_no_csv_cell_anyone_typed_can_start_a_formula(admin_app, guest, staff):
    """Every cell goes through `cell`; and what strangers type never reaches a CSV at all:
    the consent ledger keeps keywords, the audit log a hash of an unknown name."""
    from adminkit import post

    from tests.builders import sms
    from webhooks.admin.spreadsheet import cell

    assert [cell(t)[:2] for t in ("\t=1", "\r=1", "=1", "+1", "-1", "@A1")] == [
        "'\t", "'\r", "'=", "'+", "'-", "'@",
    ]  # fmt: skip
    patient = admin_app.test_client()
    attacks = ['\t=HYPERLINK("https://evil.example","STOP")', "\r=1+1 STOP", "=cmd STOP"]
    for n, words in enumerate(attacks):
        sms(patient, f"+1212555014{n}", words)
    ledger = get(staff, "/admin/consent.csv").get_data(as_text=True)
    assert "HYPERLINK" not in ledger and "=cmd" not in ledger and "=1+1" not in ledger
    names = ["=cmd|' /c calc'!a0", "+1+1", "@sum(a1)", "-2+3"]  # no such accounts
    for name in names:
        post(guest, "/admin/login", username=name, password="not the password")
    audit = list(csv.DictReader(io.StringIO(get(staff, "/admin/audit.csv").get_data(as_text=True))))
    refused = [r["staff"] for r in audit if r["action"] == "sign-in failed"]
    assert len(refused) == len(names)  # kept as a hash of the name typed, never the name
    assert all(name.startswith("?") and name[1:].isalnum() for name in refused)


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
    bearer = {"Authorization": "Bearer test-metrics-token"}
    body = admin_app.test_client().get("/metrics", headers=bearer).get_data(as_text=True)
    assert 'secondopinion_job_up{job="sweep"} 1.0' in body
    assert 'secondopinion_job_up{job="catch_up"} 0.0' in body
    assert 'secondopinion_job_age_seconds{job="retention"} +Inf' in body
    assert re.search(r'secondopinion_job_age_seconds\{job="catch_up"\} 180\d\.', body)


def test_a_sweep_that_stopped_is_called_out(admin_app, staff):
    page = get(staff, "/admin/program").get_data(as_text=True)
    assert "Reminders are not being swept" in page


def test_the_cards_count_what_the_chart_draws_and_leave_the_sandbox_out(admin_app, staff):
    from store.db import transaction
    from store.sandbox import open_sandbox

    with transaction(admin_app.extensions["secondopinion"].sessions) as session:
        open_sandbox(session, "+12125550177", dt.datetime.now(dt.UTC))  # a pretend number
    enrol(admin_app, ANA)
    enrol(admin_app, "+12125550177")
    page = get(staff, "/admin/program").get_data(as_text=True)
    assert '<b id="card-enrolled">1</b> signed up' in page
    assert '<b id="card-texts-in">2</b> texts from people' in page
    assert "signed up (1)" in page and "texts from people (2)" in page  # the chart's legend
    assert "<b>1</b> signed up" in page  # everyone so far: the sandbox is nobody
    assert page.count("<text") >= 6  # the axes have their numbers and dates
    ledger = get(staff, "/admin/consent.csv").get_data(as_text=True)
    assert ANA in ledger and "+12125550177" not in ledger
