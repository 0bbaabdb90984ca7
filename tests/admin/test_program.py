"""The program view, the consent ledger export, the content view and /metrics."""

from __future__ import annotations

import csv
import datetime as dt
import io

from adminkit import ANA, BEN, enrol, get


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


def test_the_csv_never_starts_a_cell_with_a_formula(admin_app, staff):
    from tests.builders import sms

    patient = admin_app.test_client()
    attacks = ['\t=HYPERLINK("https://evil.example","STOP")', "\r=1+1 STOP", "=cmd STOP"]
    for n, words in enumerate(attacks):
        sms(patient, f"+1212555014{n}", words)
    rows = list(
        csv.DictReader(io.StringIO(get(staff, "/admin/consent.csv").get_data(as_text=True)))
    )
    assert {r["words"][:2] for r in rows} == {"'\r", "'\t", "'="}


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
