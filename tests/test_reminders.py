"""Reminders through the real sweep, send path, database and official twilio client."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from secondopinion import staff
from secondopinion.container import Services, build
from secondopinion.reminders.prepare import prepare
from secondopinion.reminders.sweep import sweep
from store.db import transaction
from store.models import ConsentEventRow, MessageRow
from store.reminders import next_due
from tests.builders import press, reply, ring, sms, status_callback
from tests.reminding import NY, at, clock, conversation, enrol, reminders, statuses, sweep_and_send
from twilio_double import FakeTwilio

PATIENT = "+12125550111"
E164 = PATIENT


def test_the_checklist_goes_out_once_half_an_hour_after_joining(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        assert sweep_and_send(svc)["claimed"] == 0
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        assert sweep_and_send(svc)["claimed"] == 1
        assert sweep_and_send(svc)["claimed"] == 0

    [sent] = fake_twilio.messages
    assert sent["to"] == E164 and "Still to get: 1 Pathology report" in sent["body"]
    assert sent["status_callback"] == "https://secondopinion.example.org/twilio/status"
    assert sent["validity_period"] == 3600 and sent["from_"] == "+12125550100"
    with svc.sessions() as session:
        message = session.scalars(select(MessageRow).where(MessageRow.sid == sent["sid"])).one()
    assert message.direction == "out" and message.status == "queued"


def test_a_reminder_that_falls_due_at_night_goes_out_after_nine_next_morning(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 22, 30)) as t:
        enrol(client, PATIENT)
        for hour in (23, 24 + 3, 24 + 8):
            t.move_to(at(NY, 2026, 11, 2, 0, 0) + dt.timedelta(hours=hour, minutes=59))
            sweep_and_send(svc)
            assert fake_twilio.messages == []
        t.move_to(at(NY, 2026, 11, 3, 9, 0))
        sweep_and_send(svc)
    assert len(fake_twilio.messages) == 1


def _local_send_times(
    client: FlaskClient, svc: Services, fake: FakeTwilio, phone: str, zone: str
) -> list[tuple[int, str]]:
    """Jump the clock to each reminder's due time and sweep there, as the beat would."""
    tz = ZoneInfo(zone)
    start = at(tz, 2026, 11, 2, 10, 0)
    with clock(start) as t:
        enrol(client, phone, "SECOND", "1", "11/20", "YES", "NO")
        person = conversation(svc, phone).id
        times: list[tuple[int, str]] = []
        for _ in range(40):  # far more turns than reminders; each turn sends or defers one
            with svc.sessions() as session:
                due = next_due(session, person)
            if due is None or due > start + dt.timedelta(days=20):
                break
            t.move_to(due)
            before = fake.count_to(phone)
            sweep_and_send(svc)
            if fake.count_to(phone) > before:
                local = due.astimezone(tz)
                times.append(((local.date() - start.date()).days, local.strftime("%H:%M")))
    return times


def test_honolulu_and_new_york_get_the_same_plan_at_their_own_local_times(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    new_york = _local_send_times(client, svc, fake_twilio, "+12125550112", "America/New_York")
    honolulu = _local_send_times(client, svc, fake_twilio, "+18085550112", "Pacific/Honolulu")

    assert new_york == honolulu
    assert [day for day, _ in new_york] == [0, 1, 4, 11, 15, 17, 19]
    assert all("09:00" <= hhmm < "20:00" for _, hhmm in new_york)


def test_stop_cancels_every_pending_reminder_in_the_same_transaction(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT, "SECOND", "1", "11/20", "YES", "YES")
        assert "pending" in statuses(svc, PATIENT).values()
        reply(client, PATIENT, "STOP")
        assert set(statuses(svc, PATIENT).values()) == {"cancelled"}
        t.move_to(at(NY, 2026, 11, 25, 12, 0))
        sweep_and_send(svc)
    assert fake_twilio.messages == []


def test_a_new_date_moves_the_pending_reminders(client: FlaskClient, svc: Services) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)):
        enrol(client, PATIENT, "SECOND", "1", "11/20", "YES", "NO")
        reply(client, PATIENT, "DATE")
        reply(client, PATIENT, "12/4")
        reply(client, PATIENT, "YES")
    state = statuses(svc, PATIENT)
    assert state["week_before:2026-11-20:0"] == "cancelled"
    assert state["week_before:2026-12-04:0"] == "pending"


def test_reminders_read_the_state_when_they_are_sent(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT, "SECOND", "1", "11/20", "YES", "NO")
        reply(client, PATIENT, "DONE ALL")  # the checklist no longer applies
        reply(client, PATIENT, "ES")  # and the person now reads Spanish
        t.move_to(at(NY, 2026, 11, 3, 10, 0))
        sweep_and_send(svc)
    [normal] = fake_twilio.messages
    assert "Pedir una segunda opinión es algo normal" in normal["body"]
    kinds = {r.kind: r.status for r in reminders(svc, PATIENT)}
    assert kinds["checklist"] == "skipped"


def test_busy_twilio_is_retried_with_backoff_and_sends_once(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        fake_twilio.fail_next(2, status=429)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(svc)
        [checklist] = reminders(svc, PATIENT)[:1]
        assert checklist.status == "pending" and checklist.error_code == 20429
        for minute in range(32, 60):
            t.move_to(at(NY, 2026, 11, 2, 10, minute))
            sweep_and_send(svc)
    assert len(fake_twilio.messages) == 1
    assert reminders(svc, PATIENT)[0].status == "sent"


def test_a_provider_that_stays_down_fails_the_reminder_visibly_after_bounded_tries(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        fake_twilio.fail_next(100, status=500)
        for minute in range(31, 31 + 180, 5):
            t.move_to(at(NY, 2026, 11, 2, 10, 0) + dt.timedelta(minutes=minute))
            sweep_and_send(svc)
    first = reminders(svc, PATIENT)[0]
    assert (first.status, first.attempts, first.error_code) == ("failed", 5, 20500)
    assert fake_twilio.messages == []


@pytest.mark.parametrize(
    ("code", "status"), [(21610, "opted_out"), (21211, "unreachable"), (21614, "unreachable")]
)
def test_a_carrier_refusal_stops_all_texts_to_that_number(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, code: int, status: str
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT, "SECOND", "1", "11/20", "YES", "NO")
        fake_twilio.fail_to(E164, code=code)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(svc)
    assert conversation(svc, PATIENT).status == status
    assert set(statuses(svc, PATIENT).values()) <= {"failed", "cancelled"}
    with svc.sessions() as session:
        kinds = session.scalars(select(ConsentEventRow.channel)).all()
    assert ("carrier" in kinds) is (code == 21610)


def test_a_send_whose_answer_was_lost_is_found_at_twilio_not_sent_again(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        fake_twilio.accept_then_drop_connection_next(1)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(svc)
        assert reminders(svc, PATIENT)[0].status == "sending"
        t.move_to(at(NY, 2026, 11, 2, 10, 40))
        assert sweep_and_send(svc)["reconciled"] == 1
    [sent] = fake_twilio.messages
    assert reminders(svc, PATIENT)[0].sid == sent["sid"]


def test_a_send_that_never_reached_twilio_goes_out_once_after_reconciling(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep(svc, lambda ids: prepare(svc, ids, svc.clock()))
        assert reminders(svc, PATIENT)[0].status == "sending"  # as if killed right here
        t.move_to(at(NY, 2026, 11, 2, 10, 40))
        result = sweep_and_send(svc)
    assert result["reconciled"] == 1 and result["redispatched"] == 1
    assert len(fake_twilio.messages) == 1


def test_delivery_reports_only_move_forward(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(svc)
        sid = fake_twilio.messages[0]["sid"]
        for status in ("sent", "delivered", "sent", "queued"):
            assert status_callback(client, sid, status).status_code == 200
        assert status_callback(client, "SM" + "0" * 32, "delivered").status_code == 200
    with svc.sessions() as session:
        message = session.scalars(select(MessageRow).where(MessageRow.sid == sid)).one()
    assert message.status == "delivered"


def test_an_undelivered_report_with_21610_opts_the_person_out(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT, "SECOND", "1", "11/20", "YES", "NO")
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(svc)
        status_callback(client, fake_twilio.messages[0]["sid"], "undelivered", "21610")
    assert conversation(svc, PATIENT).status == "opted_out"
    assert "pending" not in statuses(svc, PATIENT).values()
    assert sms(client, PATIENT, "hello") == []


def test_an_unsigned_delivery_report_is_refused(client: FlaskClient) -> None:
    response = client.post("/twilio/status", data={"MessageSid": "SMx", "MessageStatus": "sent"})
    assert response.status_code == 403


def _run_every_reminder(
    svc: Services, t: time_machine.Traveller, phone: str, until: dt.datetime
) -> None:
    """Move the clock from one due reminder to the next, sweeping each time, until `until`."""
    while True:
        waiting = [r.due_at for r in reminders(svc, phone) if r.status == "pending"]
        if not waiting or min(waiting) > until:
            return
        t.move_to(max(min(waiting), svc.clock()))
        sweep_and_send(svc)


def _most_in_a_week(times: list[dt.datetime]) -> int:
    week = dt.timedelta(days=7)
    return max((sum(1 for t in times if s <= t < s + week) for s in times), default=0)


def test_a_late_sign_up_with_a_referral_pending_gets_no_more_than_the_consent_promises(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    """Three days before the visit, referral needed: once seven reminders in five days."""
    with clock(at(NY, 2026, 11, 27, 11, 0)) as t:
        enrol(client, PATIENT, "SECOND", "1", "11/30", "YES", "YES")
        _run_every_reminder(svc, t, PATIENT, at(NY, 2026, 12, 20, 0, 0))
    sent = [(m["received_at"].astimezone(NY), m["body"]) for m in fake_twilio.messages]
    assert sent, "the late sign-up got its reminders"
    assert _most_in_a_week([when for when, _ in sent]) <= 4  # "Up to 4 msgs/week"
    for when, body in sent:
        if when.date() > dt.date(2026, 11, 30):
            assert "did you go" in body.lower()  # after the visit: only "did it happen?"
        elif when.date() == dt.date(2026, 11, 30):
            assert "Your visit is today" in body  # on the day: what to bring, nothing else
        assert "one week away" not in body


def test_a_phone_sign_up_at_night_gets_the_welcome_with_help_and_stop_first(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    caller = "+12125550161"
    with clock(at(NY, 2026, 11, 2, 23, 30)) as t:
        turn = press(client, ring(client, caller), caller, "1")
        press(client, press(client, turn, caller, "5"), caller, "1")
        sweep_and_send(svc)
        _run_every_reminder(svc, t, caller, at(NY, 2026, 11, 3, 12, 0))
    bodies = [m["body"] for m in fake_twilio.messages]
    assert len(bodies) >= 2
    assert "Thanks for signing up by phone" in bodies[0]
    assert "HELP" in bodies[0] and "STOP" in bodies[0]
    assert fake_twilio.messages[0]["received_at"].astimezone(NY).hour == 23  # at once
    assert "gather your records" in bodies[1]


def test_reminders_resumed_after_the_visit_say_nothing_about_it(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 12, 1, 10, 0)) as t:
        enrol(client, PATIENT, "SECOND", "1", "12/20", "YES", "NO")
        person = conversation(svc, PATIENT).id
        t.move_to(at(NY, 2026, 12, 1, 10, 5))
        with transaction(svc.sessions) as session:
            staff.act(session, svc.machine, person, "pause", "nadia", svc.clock())
        t.move_to(at(NY, 2026, 12, 22, 10, 0))
        with transaction(svc.sessions) as session:
            staff.act(session, svc.machine, person, "resume", "nadia", svc.clock())
        _run_every_reminder(svc, t, PATIENT, at(NY, 2027, 1, 31, 0, 0))
    assert fake_twilio.messages == []


def test_delivery_reports_are_asked_for_with_the_connection_overrides(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    overrides = "rc=5&rp=5xx,ct,rt"
    retried = build(svc.settings.model_copy(update={"twilio_connection_overrides": overrides}))
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, PATIENT)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(retried)
    retried.engine.dispose()
    [sent] = fake_twilio.messages
    assert sent["status_callback"] == f"https://secondopinion.example.org/twilio/status#{overrides}"
