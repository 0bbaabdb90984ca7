"""A label and a navigator staff choose: searchable, never in any text; the people list by
where people are stuck, soonest visit first; the dashboard's alerts; erase takes it all."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from inboxkit import ANA, BEA, cases_of, enrol_english, hours, metrics, page, person_id, post, texts
from sqlalchemy import func, select

from store.models import CaseRow, MilestoneRow, PersonLabelRow
from tests.builders import status_callback
from tests.reminding import sweep_and_send
from twilio_double import FakeTwilio

CAL = "+13125550153"  # Chicago
LABEL = "MRN 48213 J.D."


def visit_in(app: Flask, phone: str, days: int, *then: str) -> None:
    """Enrol in English with a visit so many days ahead, no referral needed."""
    day = dt.date(2026, 12, 16) + dt.timedelta(days=days)
    texts(app, phone, "SECOND", "1", day.strftime("%m/%d"), "YES", "NO", *then)


def count(app: Flask, model: type, person: int) -> int:
    with app.extensions["secondopinion"].sessions() as session:
        query = select(func.count()).select_from(model).filter_by(conversation_id=person)
        return session.scalar(query) or 0


def test_a_label_and_navigator_are_searchable_and_logged(inbox_app, nadia, omar) -> None:
    enrol_english(inbox_app)
    enrol_english(inbox_app, CAL)
    person = person_id(inbox_app, ANA)

    assert (
        post(nadia, f"/admin/people/{person}/label", label=LABEL, navigator="omar").status_code
        == 303
    )

    found = page(nadia, "/admin/people?search=48213")
    assert "+1•••0151" in found and "+1•••0153" not in found and LABEL in found
    assert "+1•••0151" in page(nadia, "/admin/people?search=OMAR")
    assert "+1•••0151" not in page(nadia, "/admin/people?mine=1")  # nadia's, not omar's
    assert "label by nadia navigator omar" in page(nadia, f"/admin/people/{person}")


def test_a_bad_label_or_an_unknown_navigator_changes_nothing(inbox_app, nadia) -> None:
    enrol_english(inbox_app)
    person = person_id(inbox_app, ANA)
    assert post(nadia, f"/admin/people/{person}/label", label="x" * 65).status_code == 400
    assert post(nadia, f"/admin/people/{person}/label", navigator="mallory").status_code == 400
    assert post(nadia, "/admin/people/999/label", label="AB").status_code == 404
    assert count(inbox_app, PersonLabelRow, person) == 0


def test_a_label_is_never_sent_in_any_text(
    inbox_app, nadia, fake_twilio: FakeTwilio, clock
) -> None:
    answers: list[str] = []
    visit_in(inbox_app, ANA, 8)
    person = person_id(inbox_app, ANA)
    post(nadia, f"/admin/people/{person}/label", label=LABEL, navigator="nadia")
    for body in ("RECORDS", "PHRASES", "HELP", "can I bring my sister?", "MENU", "DATE"):
        answers += texts(inbox_app, ANA, body)[0]
    for saved in ("answer_companion", "answer_checking_in", "answer_records_office"):
        post(nadia, f"/admin/people/{person}/text", saved=saved)
    for _ in range(12):  # every reminder up to the day after the visit
        clock.shift(dt.timedelta(days=1))
        sweep_and_send(inbox_app.extensions["secondopinion"])

    everything = answers + [m["body"] for m in fake_twilio.messages]
    assert len(fake_twilio.messages) >= 8
    for piece in ("48213", "J.D.", "MRN", "nadia"):
        assert not any(piece in text for text in everything), piece


def test_the_worklist_finds_who_is_stuck_soonest_visit_first(inbox_app, nadia) -> None:
    visit_in(inbox_app, CAL, 3)  # records missing, visit in 3 days
    visit_in(inbox_app, ANA, 2)  # records missing, visit in 2 days
    visit_in(inbox_app, BEA, 1, "DONE ALL")  # ready: not stuck
    enrol_english(inbox_app, "+12135550154")  # no date yet

    listed = page(nadia, "/admin/people?stuck=records-soon")
    assert listed.index("+1•••0151") < listed.index("+1•••0153")
    assert "+1•••0152" not in listed and "+1•••0154" not in listed
    assert "call these people first" in listed
    no_date = page(nadia, "/admin/people?stuck=no-date")
    assert "+1•••0154" in no_date and "+1•••0151" not in no_date
    assert "+1•••0151" in page(nadia, "/admin/people?stuck=made-up")  # ignored: everyone


def test_alerts_name_failures_opt_outs_and_tomorrows_unready_visits(
    inbox_app, nadia, fake_twilio: FakeTwilio, clock
) -> None:
    visit_in(inbox_app, ANA, 1)  # tomorrow, records missing
    visit_in(inbox_app, BEA, 1, "DONE ALL")  # tomorrow, ready: no alert
    enrol_english(inbox_app, CAL)
    texts(inbox_app, CAL, "STOP")
    clock.shift(hours(1))
    sweep_and_send(inbox_app.extensions["secondopinion"])
    [failed] = [m for m in fake_twilio.messages if m["to"] == ANA][:1]
    status_callback(inbox_app.test_client(), failed["sid"], "undelivered", "30003", to=ANA)

    shown = page(nadia, "/admin/people")
    alerts = shown[shown.index('id="alerts"') : shown.index("</section>")]
    assert "<b>1</b> Texts that failed to arrive" in alerts and "error 30003" in alerts
    assert "<b>1</b> Opt-outs" in alerts and "+1•••0153" in alerts
    assert "<b>1</b> Visit tomorrow, records still missing" in alerts
    assert alerts.count("+1•••0151") == 2 and "+1•••0152" not in alerts
    scraped = metrics(inbox_app)
    for kind in ("failed_delivery", "opt_out", "visit_tomorrow_records_missing"):
        assert f'secondopinion_alerts{{kind="{kind}"}} 1.0' in scraped


def test_erase_removes_cases_labels_and_milestones(inbox_app, nadia) -> None:
    enrol_english(inbox_app)
    person = person_id(inbox_app, ANA)
    texts(inbox_app, ANA, "can my daughter come with me?")
    post(nadia, f"/admin/people/{person}/label", label=LABEL)
    assert count(inbox_app, MilestoneRow, person) == 2  # signed up, no referral needed

    post(nadia, f"/admin/people/{person}/erase", confirm="erase")

    for model in (CaseRow, PersonLabelRow, MilestoneRow):
        assert count(inbox_app, model, person) == 0, model
    assert cases_of(inbox_app, ANA) == []
