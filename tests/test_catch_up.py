"""After an outage, texts and delivery reports only Twilio has are taken in: in order, once
each, by the webhook's own code; a STOP wins over reminders; a stale answer stays unanswered."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import select

from secondopinion.catchup import catch_up
from secondopinion.container import Services
from store.models import ConsentEventRow, ConversationRow, MessageRow, ReminderRow
from tests.builders import PROGRAM_NUMBER, phone
from tests.reminding import NY, at, clock, conversation, enrol, sweep_and_send
from twilio_double import FakeTwilio

ANA, BEN, FOREIGN = "+12125550181", "+17875550182", "+447700900183"
MINUTE = dt.timedelta(minutes=1)


def texted_live(fake: FakeTwilio, client: FlaskClient, number: str, body: str) -> list[str]:
    """A text that reached Twilio and then the webhook, as every text does when all is well."""
    sid = fake.receive(number, PROGRAM_NUMBER, body)
    return phone(client, number).text(body, sid)


def inbound(svc: Services, number: str) -> list[tuple[str, str]]:
    with svc.sessions() as session:
        query = (
            select(MessageRow.body, MessageRow.status)
            .join(ConversationRow)
            .where(ConversationRow.phone == number, MessageRow.direction == "in")
            .order_by(MessageRow.created_at, MessageRow.id)
        )
        return [(body, status) for body, status in session.execute(query)]


def answers(svc: Services, number: str) -> list[str]:
    with svc.sessions() as session:
        query = (
            select(ReminderRow.body)
            .join(ConversationRow)
            .where(ConversationRow.phone == number, ReminderRow.kind == "answer")
            .order_by(ReminderRow.id)
        )
        return [str(body) for body in session.scalars(query)]


def test_texts_the_webhook_never_saw_are_stepped_in_order_once_and_answered_by_text(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        start = svc.clock()
        fake_twilio.receive(ANA, PROGRAM_NUMBER, "SECOND", start)
        fake_twilio.receive(BEN, PROGRAM_NUMBER, "SEGUNDA", start + MINUTE)
        fake_twilio.receive(ANA, PROGRAM_NUMBER, "1", start + 2 * MINUTE)
        fake_twilio.receive(FOREIGN, PROGRAM_NUMBER, "SECOND", start + 3 * MINUTE)
        t.move_to(start + 10 * MINUTE)
        done = catch_up(svc, svc.clock(), since=start - MINUTE)
        assert (done["listed"], done["processed"], done["ignored"]) == (4, 3, 1)
        assert catch_up(svc, svc.clock(), since=start - MINUTE)["processed"] == 0  # once
        assert inbound(svc, ANA) == [("SECOND", "late"), ("1", "late")]
        assert conversation(svc, ANA).step == "date" and conversation(svc, BEN).language == "es"
        ana = answers(svc, ANA)  # the consent text must be seen; then only the latest answer
        assert len(ana) == 2 and "STOP" in ana[0] and "visit" in ana[1]
        sweep_and_send(svc)
    assert [m["body"] for m in fake_twilio.messages if m["to"] == ANA] == ana
    [consent] = [m["body"] for m in fake_twilio.messages if m["to"] == BEN]
    assert "STOP" in consent or "PARAR" in consent
    with svc.sessions() as session:
        ledger = session.scalars(select(ConsentEventRow).where(ConsentEventRow.phone == ANA))
        [line] = ledger.all()
    assert line.at == start and line.shown_text == ana[0]  # when they joined; what they saw
    assert not any(m["to"] == FOREIGN for m in fake_twilio.messages)


def test_a_stop_sent_during_the_outage_wins_over_the_reminders_due_after_it(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        texted_live(fake_twilio, client, ANA, "SECOND")
        texted_live(fake_twilio, client, ANA, "1")
        sweep_and_send(svc)  # inbound known to be complete up to now
        down = svc.clock() + 5 * MINUTE
        fake_twilio.receive(ANA, PROGRAM_NUMBER, "Stop please", down)  # the webhook got a 503
        t.move_to(at(NY, 2026, 11, 2, 11, 0))  # the checklist fell due at 10:30
        assert sweep_and_send(svc)["claimed"] == 0
    assert conversation(svc, ANA).status == "opted_out"
    assert fake_twilio.count_to(ANA) == 0  # not the checklist, not a late confirmation either
    assert inbound(svc, ANA)[-1] == ("Stop please", "late")


def test_a_text_still_on_its_way_to_the_webhook_holds_that_persons_reminders(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        texted_live(fake_twilio, client, ANA, "SECOND")
        texted_live(fake_twilio, client, BEN, "SECOND")
        t.move_to(at(NY, 2026, 11, 2, 10, 31))  # both checklists are due
        fake_twilio.receive(ANA, PROGRAM_NUMBER, "STOP", svc.clock() - dt.timedelta(seconds=3))
        assert sweep_and_send(svc)["claimed"] == 1  # Ben's; Ana's waits for her text
        t.move_to(at(NY, 2026, 11, 2, 10, 32))  # the webhook never got it: read from the log
        sweep_and_send(svc)
    assert conversation(svc, ANA).status == "opted_out"
    assert (fake_twilio.count_to(ANA), fake_twilio.count_to(BEN)) == (0, 1)


def test_an_answer_overtaken_by_a_newer_text_is_kept_unanswered_and_changes_nothing(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        start = svc.clock()
        texted_live(fake_twilio, client, ANA, "SECOND")
        texted_live(fake_twilio, client, ANA, "1")  # now asked for the visit date
        fake_twilio.receive(ANA, PROGRAM_NUMBER, "12/15", start + MINUTE)  # missed
        t.move_to(start + 2 * MINUTE)
        texted_live(fake_twilio, client, ANA, "NOT YET")  # answered live, after it
        t.move_to(start + 10 * MINUTE)
        done = catch_up(svc, svc.clock(), since=start)
    assert (done["processed"], done["stale"]) == (1, 1)
    row = conversation(svc, ANA)
    assert row.date_deferred and row.appointment is None and row.pending_date is None
    assert ("12/15", "stale") in inbound(svc, ANA)
    assert answers(svc, ANA) == []


def test_a_stale_stop_is_still_honoured(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        start = svc.clock()
        texted_live(fake_twilio, client, ANA, "SECOND")
        fake_twilio.receive(ANA, PROGRAM_NUMBER, "STOP", start + MINUTE)  # missed
        t.move_to(start + 2 * MINUTE)
        texted_live(fake_twilio, client, ANA, "1")
        t.move_to(start + 10 * MINUTE)
        assert catch_up(svc, svc.clock(), since=start)["stale"] == 1
    assert conversation(svc, ANA).status == "opted_out"


def test_delivery_reports_missed_in_the_outage_are_looked_up_once(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        enrol(client, ANA)
        enrol(client, BEN)
        t.move_to(at(NY, 2026, 11, 2, 10, 31))
        sweep_and_send(svc)  # both checklists go; their reports never reach the webhook
        to_ana, to_ben = (m["sid"] for m in fake_twilio.messages)
        fake_twilio.set_status(to_ana, "delivered")
        fake_twilio.set_status(to_ben, "undelivered", 21610)  # the carrier has Ben opted out
        t.move_to(at(NY, 2026, 11, 2, 10, 45))
        assert catch_up(svc, svc.clock())["reports"] == 2
        assert catch_up(svc, svc.clock())["reports"] == 0
    with svc.sessions() as session:
        found = {
            sid: status
            for sid, status in session.execute(select(MessageRow.sid, MessageRow.status))
        }
    assert (found[to_ana], found[to_ben]) == ("delivered", "undelivered")
    assert conversation(svc, BEN).status == "opted_out"
    fetches = [r for r in fake_twilio.requests if r["method"] == "GET" and to_ana in r["path"]]
    assert len(fetches) == 1
