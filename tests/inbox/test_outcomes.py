"""The day-after question through the service, the funnel on a seeded program (and its
de-identified CSV), and the inbox's numbers on /metrics and the program page."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Flask
from inboxkit import ANA, BEA, cases_of, get, metrics, page, person_id, sign_in, texts
from sqlalchemy import select

from store.models import ConversationRow, MilestoneRow
from tests.reminding import NY, at, statuses, sweep_and_send

CAL, DAN = "+13125550153", "+12135550154"


def walk(app: Flask, clock, until: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """Sweep every few hours up to `until`, as the beat would (reminders go out by day)."""
    svc = app.extensions["secondopinion"]
    while svc.clock() < until:
        clock.shift(dt.timedelta(hours=3))
        sweep_and_send(svc)
    clock.move_to(until)


def conversation(app: Flask, phone: str) -> ConversationRow:
    with app.extensions["secondopinion"].sessions() as session:
        return session.scalars(select(ConversationRow).where(ConversationRow.phone == phone)).one()


def test_the_day_after_asks_and_the_answer_is_the_outcome(inbox_app, clock) -> None:
    texts(inbox_app, BEA, "SEGUNDA", "2", "12/18", "SÍ", "NO")
    walk(inbox_app, clock, at(NY, 2026, 12, 19, 12, 0))
    asked = conversation(inbox_app, BEA)
    assert (asked.step, asked.status) == ("outcome", "active")

    [[thanks]] = texts(inbox_app, BEA, "SÍ")

    assert thanks.startswith("¡Qué bien!")
    done = conversation(inbox_app, BEA)
    assert (done.status, done.visit_outcome) == ("completed", "happened")
    check = [
        s
        for k, s in statuses(inbox_app.extensions["secondopinion"], BEA).items()
        if k.startswith("visit_check")
    ]
    assert check == ["cancelled"]


def test_no_answer_gets_one_reminder_then_the_conversation_completes(
    inbox_app, fake_twilio, clock
) -> None:
    texts(inbox_app, ANA, "SECOND", "1", "12/18", "YES", "NO")
    walk(inbox_app, clock, at(NY, 2026, 12, 28, 12, 0))

    bodies = [m["body"] for m in fake_twilio.messages if m["to"] == ANA]
    assert sum("Did you go?" in b for b in bodies) == 1  # the day after
    assert sum("One last question" in b for b in bodies) == 1  # three days after, once
    assert conversation(inbox_app, ANA).status == "completed"
    assert conversation(inbox_app, ANA).visit_outcome is None


def test_it_moved_asks_for_the_date_and_the_reminders_move(inbox_app, clock) -> None:
    texts(inbox_app, ANA, "SECOND", "1", "12/18", "YES", "NO")
    walk(inbox_app, clock, at(NY, 2026, 12, 19, 12, 0))

    [[asked], [confirm], [saved]] = texts(inbox_app, ANA, "MOVED", "1/8", "YES")

    assert asked.startswith("Thanks for telling us. When is your visit now?")
    assert "January 8" in confirm and "January 8" in saved
    row = conversation(inbox_app, ANA)
    assert (row.appointment, row.visit_outcome) == (dt.date(2027, 1, 8), "moved")
    pending = [
        k for k, s in statuses(inbox_app.extensions["secondopinion"], ANA).items() if s == "pending"
    ]
    assert {k.split(":")[0] for k in pending} >= {"week_before", "day_before", "day_after"}
    assert all("2027-01-08" in k for k in pending if k.startswith(("week_before", "day_after")))


def test_the_funnel_of_a_seeded_program(inbox_app, clock) -> None:
    start = at(NY, 2026, 11, 20, 10, 0)
    clock.move_to(start)
    texts(inbox_app, ANA, "SECOND", "1")  # A, English: all the way
    texts(inbox_app, BEA, "SEGUNDA", "2")  # B, Spanish: a date, then a referral to wait for
    walk(inbox_app, clock, start + dt.timedelta(days=1))  # reminders go out as the days pass
    texts(inbox_app, ANA, "11/30", "YES", "NO")  # date +1 day, referral resolved +0
    walk(inbox_app, clock, start + dt.timedelta(days=3))
    texts(inbox_app, BEA, "12/20", "SÍ", "SÍ")  # date +3 days; a referral is needed
    walk(inbox_app, clock, start + dt.timedelta(days=5))
    texts(inbox_app, ANA, "DONE ALL")  # records complete +4 days
    walk(inbox_app, clock, start + dt.timedelta(days=12))  # the day after Nov 30 asks
    texts(inbox_app, ANA, "YES")  # visit happened +7 days
    clock.move_to(at(NY, 2026, 12, 3, 10, 0))
    texts(inbox_app, CAL, "SECOND", "1", "NOT YET")  # C, English, December: signed up only
    texts(inbox_app, DAN, "SEGUNDA", "2")  # D, Spanish, December
    clock.move_to(at(NY, 2026, 12, 5, 10, 0))
    texts(inbox_app, DAN, "12/30", "SÍ", "NO")  # date +2 days, referral +0

    nadia = sign_in(inbox_app, "nadia")  # after the clock went back: a fresh session
    program = page(nadia, "/admin/program")
    assert "Everyone: 4 signed up" in program
    response = get(nadia, "/admin/funnel.csv")
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    everyone = [r for r in table if r["group_by"] == "all"]
    assert [int(r["reached"]) for r in everyone] == [4, 3, 2, 1, 1]
    assert [int(r["stopped_here"]) for r in everyone] == [1, 1, 1, 0, 1]
    assert [r["median_days_from_previous"] for r in everyone] == ["", "2.0", "0.0", "4.0", "7.0"]
    by = {(r["group_by"], r["group"], r["step"]): int(r["reached"]) for r in table}
    assert [by["language", "es", s] for s in ("signed_up", "date_given", "referral_resolved")] == [
        2,
        2,
        1,
    ]
    assert by["month", "2026-11", "signed_up"] == by["month", "2026-12", "signed_up"] == 2
    assert by["month", "2026-12", "date_given"] == 1
    raw = response.get_data(as_text=True)
    for private in ("555", "+1", "DONE", "SECOND", "YES", "nadia"):
        assert private not in raw, private


def test_milestones_keep_the_first_time_they_were_reached(inbox_app, clock) -> None:
    texts(inbox_app, ANA, "SECOND", "1", "12/20", "YES")
    first = at(NY, 2026, 12, 16, 10, 0)
    clock.shift(dt.timedelta(days=2))
    texts(inbox_app, ANA, "DATE", "12/22", "YES")  # a new date: still given on the first day
    with inbox_app.extensions["secondopinion"].sessions() as session:
        query = select(MilestoneRow.at).where(
            MilestoneRow.conversation_id == person_id(inbox_app, ANA),
            MilestoneRow.milestone == "date_given",
        )
        assert list(session.scalars(query)) == [first]


def test_open_cases_and_the_oldest_age_on_metrics_and_the_program_page(
    inbox_app, nadia, clock
) -> None:
    texts(inbox_app, ANA, "SECOND", "1", "can my mother come with me?")
    clock.shift(dt.timedelta(hours=25))
    texts(inbox_app, BEA, "SEGUNDA", "2", "¿Quién paga la segunda opinión?")
    clock.shift(dt.timedelta(hours=1))

    scraped = metrics(inbox_app)
    assert "secondopinion_cases_open 2.0" in scraped
    assert "secondopinion_case_oldest_age_seconds 93600.0" in scraped  # 26 hours
    assert "secondopinion_cases_overdue 1.0" in scraped
    program = page(nadia, "/admin/program")
    assert "<b>2</b> open cases; the oldest has waited 1 day 2 h" in program
    assert "1 overdue" in program
    inbox = page(nadia, "/admin/inbox")
    table = inbox[inbox.index('<table class="inbox"') :]
    assert table.count('class="tag overdue">overdue') == 1
    assert inbox.index("can my mother come") < inbox.index("Quién paga")  # oldest first
    assert len(cases_of(inbox_app, ANA)) == 1
