"""Forgetting a person: on request (dashboard, `secondopinion forget`) and after
RETENTION_DAYS. Only the consent ledger's lines stay, with keywords, never the person's
words; Twilio's copies go too when asked; an old signed webhook replayed changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from cli import main
from secondopinion.catchup import catch_up
from secondopinion.container import Services
from secondopinion.privacy import expire
from secondopinion.settings import Settings
from store import heartbeats
from store.db import transaction
from store.models import ConsentEventRow, ConversationRow, ForgottenMessageRow
from tests.builders import PROGRAM_NUMBER, PROGRAM_WORDS, phone, post_signed, sms_form
from tests.reminding import NY, at, clock, enrol, sweep_and_send
from twilio_double import FakeTwilio

ANA, BEN = "+13125550191", "+13125550192"
ANA_DIGITS = ANA.removeprefix("+1")
SAID = ("SECOND", "1", "my oncologist said stage 3 lymphoma, 12/15", "YES")
STOP = "Please stop texting me about my cancer"


def texted_live(fake: FakeTwilio, client: FlaskClient, number: str, body: str) -> str:
    """A text that reached Twilio and then the webhook; its MessageSid."""
    sid = fake.receive(number, PROGRAM_NUMBER, body)
    phone(client, number).text(body, sid)
    return sid


def every_row(svc: Services) -> dict[str, list[dict[str, object]]]:
    tables = [name for name in inspect(svc.engine).get_table_names() if name != "alembic_version"]
    with svc.engine.connect() as connection:
        return {
            name: [
                dict(row)  # in key order: PostgreSQL returns updated rows in any order
                for row in connection.execute(text(f"SELECT * FROM {name} ORDER BY 1")).mappings()
            ]
            for name in tables
        }


def mentions(row: dict[str, object], *needles: str) -> bool:
    return any(needle in str(value) for value in row.values() for needle in needles)


def a_person_who_said_a_lot(client: FlaskClient, svc: Services, fake: FakeTwilio) -> list[str]:
    """Ana joins, answers in her own words, gets a reminder, then stops in a sentence."""
    sids = [texted_live(fake, client, ANA, body) for body in SAID]
    enrol(client, BEN)
    sweep_and_send(svc)
    sids.append(texted_live(fake, client, ANA, STOP))
    return sids


def test_the_dashboards_erase_leaves_only_consent_lines_and_deletes_the_texts_at_twilio(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, sending_settings: Settings
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        sids = a_person_who_said_a_lot(client, svc, fake_twilio)
        t.move_to(at(NY, 2026, 11, 2, 11, 0))
        sweep_and_send(svc)  # Ben's checklist goes out; Ana has stopped
        staff = signed_in(sending_settings)
        person = conversation_id(svc, ANA)
        done = staff.post(
            f"/admin/people/{person}/erase",
            data={"csrf_token": "t", "confirm": "erase", "at_twilio": "yes"},
            base_url="https://localhost",
        )
    assert done.status_code == 303
    left = {table: [r for r in rows if mentions(r, ANA, ANA_DIGITS, "lymphoma", "cancer")]
            for table, rows in every_row(svc).items()}  # fmt: skip
    assert {table for table, rows in left.items() if rows} == {"consent_events"}
    assert [(r["kind"], r["channel"], r["words"]) for r in left["consent_events"]] == [
        ("opt_in", "sms", "SECOND"),
        ("opt_out", "sms", "(a sentence meaning STOP)"),
    ]
    assert all(r["conversation_id"] is None for r in left["consent_events"])
    ana_at_twilio = {m["sid"] for m in fake_twilio.messages if ANA in (m["to"], m["from_"])}
    ana_at_twilio |= {m["sid"] for m in fake_twilio.received if m["from_"] == ANA}
    assert set(sids) <= ana_at_twilio and set(fake_twilio.deleted) == ana_at_twilio
    assert fake_twilio.count_to(BEN) == 1 and not set(fake_twilio.deleted) & {
        m["sid"] for m in fake_twilio.messages if m["to"] == BEN
    }


def test_a_replayed_signed_join_text_after_an_erase_enrols_no_one(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, sending_settings: Settings
) -> None:
    captured = sms_form(ANA, "SECOND")
    assert post_signed(client, "/twilio/sms", captured).status_code == 200
    phone(client, ANA).text("1")
    result = CliRunner().invoke(main, ["forget", ANA], env=environment(sending_settings))
    assert result.exit_code == 0, result.output
    replayed = post_signed(client, "/twilio/sms", captured)  # the very same signed request
    assert replayed.status_code == 200 and "<Message>" not in replayed.get_data(as_text=True)
    with svc.sessions() as session:
        assert session.scalar(select(ConversationRow).where(ConversationRow.phone == ANA)) is None
        kinds = session.scalars(select(ConsentEventRow.kind).where(ConsentEventRow.phone == ANA))
        assert list(kinds) == ["opt_in", "opt_out"]
        assert session.get(ForgottenMessageRow, captured["MessageSid"]) is not None


def test_a_catch_up_after_an_erase_brings_back_nothing(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, sending_settings: Settings
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        start = svc.clock()
        a_person_who_said_a_lot(client, svc, fake_twilio)
        CliRunner().invoke(main, ["forget", ANA], env=environment(sending_settings))
        t.move_to(start + dt.timedelta(minutes=10))
        assert catch_up(svc, svc.clock(), since=start)["processed"] == 0
    with svc.sessions() as session:
        assert session.scalar(select(ConversationRow).where(ConversationRow.phone == ANA)) is None


def test_the_command_line_erase_can_finish_the_job_at_twilio_later(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, sending_settings: Settings
) -> None:
    texted_live(fake_twilio, client, ANA, "SECOND")
    env = environment(sending_settings)
    first = CliRunner().invoke(main, ["forget", "(312) 555-0191"], env=env)
    assert "erased here" in first.output and fake_twilio.deleted == []
    again = CliRunner().invoke(main, ["forget", ANA, "--at-twilio"], env=env)
    assert "nothing stored here" in again.output and "texts deleted at Twilio: 1" in again.output
    assert ANA not in first.output + again.output  # masked: +1•••0191
    assert len(fake_twilio.deleted) == 1  # the join text (the fake keeps no TwiML answers)


@pytest.mark.parametrize("days", [89, 91])
def test_finished_conversations_are_forgotten_after_the_retention_days(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, days: int
) -> None:
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        texted_live(fake_twilio, client, ANA, "SECOND")
        stopped = texted_live(fake_twilio, client, ANA, STOP)
        texted_live(fake_twilio, client, BEN, "SECOND")  # still active: kept however long
        phone(client, "+13125550193").text("hello?")  # never joined: a finished conversation
        later = at(NY, 2026, 11, 2, 10, 0) + dt.timedelta(days=days)
        t.move_to(later)
        done = expire(svc, svc.clock())
    rows = every_row(svc)
    kept = {r["phone"] for r in rows["conversations"]}
    if days < svc.settings.retention_days:
        assert done["forgotten"] == 0 and kept == {ANA, BEN, "+13125550193"}
        return
    assert done == {"forgotten": 2, "deleted_at_twilio": 0} and kept == {BEN}
    assert not [r for r in rows["messages"] if mentions(r, "cancer")]
    assert {r["sid"] for r in rows["forgotten_messages"]} >= {stopped}
    assert [r["words"] for r in rows["consent_events"] if r["phone"] == ANA] == [
        "SECOND",
        "(a sentence meaning STOP)",
    ]
    with svc.sessions() as session:
        assert heartbeats.last(session, heartbeats.RETENTION) == later


def conversation_id(svc: Services, number: str) -> int:
    with svc.sessions() as session:
        found = session.scalar(select(ConversationRow.id).where(ConversationRow.phone == number))
    assert found is not None
    return found


def environment(settings: Settings) -> dict[str, str]:
    """The settings as the command line reads them, from the environment."""
    names = ("database_url", "twilio_account_sid", "twilio_auth_token", "twilio_api_base_url")
    return {name.upper(): str(getattr(settings, name)) for name in names} | PROGRAM_WORDS


def signed_in(settings: Settings) -> FlaskClient:
    """A staff member signed in to a dashboard of the same service."""
    from store.staff import add_staff
    from webhooks import create_app

    app = create_app(settings.model_copy(update={"secret_key": "k"}))
    with transaction(app.extensions["secondopinion"].sessions) as session:
        add_staff(session, "nadia", "correct horse battery", dt.datetime.now(dt.UTC))
    staff = app.test_client()
    with staff.session_transaction(base_url="https://localhost") as cookie:
        cookie["csrf_token"] = "t"
    form = {"csrf_token": "t", "username": "nadia", "password": "correct horse battery"}
    signed = staff.post("/admin/login", data=form, base_url="https://localhost")
    assert signed.status_code == 303, signed.get_data(as_text=True)
    with staff.session_transaction(base_url="https://localhost") as cookie:
        cookie["csrf_token"] = "t"  # signing in started a fresh session
    return staff


def test_with_retention_at_twilio_the_job_deletes_twilios_copies_too(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    deleting = dataclasses.replace(
        svc, settings=svc.settings.model_copy(update={"retention_at_twilio": True})
    )
    with clock(at(NY, 2026, 11, 2, 10, 0)) as t:
        gone = [texted_live(fake_twilio, client, ANA, body) for body in ("SECOND", "STOP")]
        kept = texted_live(fake_twilio, client, BEN, "SECOND")
        t.move_to(at(NY, 2026, 11, 2, 10, 0) + dt.timedelta(days=91))
        assert expire(deleting, deleting.clock()) == {"forgotten": 1, "deleted_at_twilio": 2}
    assert sorted(fake_twilio.deleted) == sorted(gone) and kept not in fake_twilio.deleted


def test_a_replayed_text_after_an_erase_changes_nothing_for_the_same_number_back_again(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, sending_settings: Settings
) -> None:
    """The sender's lock also reads the forgotten sids: one whose number texted again since
    (a new conversation) still changes nothing, and is not answered."""
    captured = sms_form(ANA, "SECOND")
    assert post_signed(client, "/twilio/sms", captured).status_code == 200
    result = CliRunner().invoke(main, ["forget", ANA], env=environment(sending_settings))
    assert result.exit_code == 0, result.output
    assert phone(client, ANA).text("hello")  # answered: back, a new conversation
    before = every_row(svc)
    replayed = post_signed(client, "/twilio/sms", captured)
    assert replayed.status_code == 200 and "<Message>" not in replayed.get_data(as_text=True)
    assert every_row(svc) == before
