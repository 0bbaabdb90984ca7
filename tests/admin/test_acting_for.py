"""Staff act for a person (visit date, records, referral) through the flow, in the audit
log; the page offers only what makes sense, in plain words and in the person's own time."""

from __future__ import annotations

import datetime as dt

from adminkit import ANA, BEN, enrol, get, post
from sqlalchemy import select

from store.models import ConversationRow, ReminderRow, StaffActionRow
from store.reminders import PENDING


def state(admin_app, person: int) -> ConversationRow:  # type: ignore[no-untyped-def]
    with admin_app.extensions["secondopinion"].sessions() as session:
        row = session.get(ConversationRow, person)
        assert row is not None
        return row


def test_a_visit_date_set_by_staff_moves_the_person_on_and_plans_the_reminders(admin_app, staff):
    person = enrol(admin_app, ANA)
    assert state(admin_app, person).step == "date"
    visit = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=20)
    assert (
        post(staff, f"/admin/people/{person}/visit-date", date=visit.isoformat()).status_code == 303
    )
    row = state(admin_app, person)
    assert row.appointment == visit and row.step == "referral"
    with admin_app.extensions["secondopinion"].sessions() as session:
        kinds = set(
            session.scalars(
                select(ReminderRow.kind).where(
                    ReminderRow.conversation_id == person, ReminderRow.status == PENDING
                )
            )
        )
        logged = session.scalars(
            select(StaffActionRow).where(StaffActionRow.action == "visit-date")
        )
        assert [(a.username, a.detail) for a in logged] == [("nadia", visit.isoformat())]
    assert "week_before" in kinds


def test_a_bad_visit_date_says_what_is_allowed_and_changes_nothing(admin_app, staff):
    person = enrol(admin_app, ANA)
    for given in ("", "2026-02-30", "1999-01-01", "next tuesday"):
        answer = post(staff, f"/admin/people/{person}/visit-date", date=given)
        assert answer.status_code == 400 and "A visit date from today" in answer.get_data(
            as_text=True
        )
    assert state(admin_app, person).appointment is None


def test_records_and_the_referral_marked_done_by_staff(admin_app, staff):
    person = enrol(admin_app, ANA)
    staff.post(
        f"/admin/people/{person}/records",
        data={"csrf_token": "test-csrf-token", "record": ["1", "3", "9"]},
        base_url="https://localhost",
    )
    post(staff, f"/admin/people/{person}/referral-sent")
    row = state(admin_app, person)
    assert set(row.records_done.split(",")) == {"1", "3"} and row.referral == "sent"
    page = get(staff, f"/admin/people/{person}").get_data(as_text=True)
    records = " ".join(page.split('id="records">')[1].split("</dd>")[0].split())
    assert records.startswith('<span class="records">2 of 4</span>')
    assert "have: Pathology report and slides, Lab and test results" in records
    assert "missing: Imaging (the disc and the reports), Doctor's notes" in records.replace(
        "&#39;", "'"
    )


def test_pause_is_offered_only_to_someone_taking_part(admin_app, staff):
    person = enrol(admin_app, ANA)
    assert 'id="pause"' in get(staff, f"/admin/people/{person}").get_data(as_text=True)
    post(staff, f"/admin/people/{person}/opt-out")
    page = get(staff, f"/admin/people/{person}").get_data(as_text=True)
    assert 'id="pause"' not in page and 'id="opt-out"' not in page
    assert (
        "Stopped texts" in page and "opted_out" not in page.split("<main>")[1].split("Timeline")[0]
    )


def test_times_are_in_the_persons_zone_with_the_zone_named(admin_app, staff):
    person = enrol(admin_app, BEN, "SEGUNDA", "2")  # 787: Puerto Rico
    page = get(staff, f"/admin/people/{person}").get_data(as_text=True)
    assert " AST</time>" in page and "UTC" not in page.split("<main>")[1]
    assert "Puerto Rico and US Virgin Islands" in page
    zones = page.split('id="timezone"')[1]
    assert zones.index("Eastern (New York") < zones.index("America/Argentina")  # the US first


def test_the_people_list_pages_and_sorts(admin_app, staff):
    from tests.builders import sms

    patient = admin_app.test_client()
    for n in range(53):
        sms(patient, f"+1212555{n:04d}", "SECOND")
    first = get(staff, "/admin/people").get_data(as_text=True)
    assert "Showing 1\u201350 of 53" in first and 'id="next-page"' in first
    second = get(staff, "/admin/people?page=2&sort=status").get_data(as_text=True)
    assert "Showing 51\u201353 of 53" in second and 'id="previous"' in second
    assert get(staff, "/admin/people?page=999999999999&sort=nonsense").status_code == 200


def test_staff_sign_up_a_person_who_said_yes_on_the_phone(admin_app, staff):
    from store.models import ConsentEventRow

    form = get(staff, "/admin/people/new").get_data(as_text=True)
    assert "Podemos enviarle mensajes de texto" in form and "up to 4 a week" in form
    missing = post(staff, "/admin/people/new", phone="(787) 555-0133", language="es", how="phone")
    assert missing.status_code == 400  # not ticked: they have not said yes
    done = post(
        staff, "/admin/people/new", phone="(787) 555-0133", language="es", how="phone", agreed="yes"
    )
    assert done.status_code == 303
    with admin_app.extensions["secondopinion"].sessions() as session:
        row = session.scalar(select(ConversationRow).where(ConversationRow.phone == "+17875550133"))
        assert row is not None and row.status == "active" and row.language == "es"
        [entry] = session.scalars(select(ConsentEventRow))
        welcome = session.scalars(
            select(ReminderRow).where(ReminderRow.kind == "staff_welcome")
        ).one()
        logged = session.scalars(select(StaffActionRow).where(StaffActionRow.action == "enrol"))
        assert [(a.username, a.detail) for a in logged] == [("nadia", "by phone")]
    assert (entry.kind, entry.channel) == ("opt_in", "staff")
    assert entry.words == "said yes by phone to nadia"
    assert entry.shown_text.startswith("Podemos enviarle mensajes de texto")  # the words read
    assert welcome.status == PENDING  # the first text, due at once
    again = post(
        staff, "/admin/people/new", phone="+17875550133", language="es", how="phone", agreed="yes"
    )
    assert again.status_code == 409
    assert post(staff, f"/admin/people/{row.id}/enrol").status_code == 400


def test_the_first_text_after_staff_sign_up_has_help_and_stop(admin_app):
    from flows import Language

    machine = admin_app.extensions["secondopinion"].machine
    for language, help_word in ((Language.EN, "HELP"), (Language.ES, "AYUDA")):
        words = machine.render_key("staff_welcome", language)
        assert "STOP" in words and help_word in words and "4" in words
