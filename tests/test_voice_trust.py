"""The phone line texts no one who did not ask: countries, hidden and spoofed numbers, STOP."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from secondopinion.container import Services
from store.models import ConsentEventRow, ConversationRow
from tests.builders import press, reply, ring, sms
from tests.reminding import NY, at, clock, conversation, sweep_and_send
from twilio_double import FakeTwilio

CALLER = "+12125550151"
SPOOFED = "TN-Validation-Failed"


def sign_up_by_phone(client: FlaskClient, number: str, stir: str) -> tuple[str, str]:
    """1 English, 5 sign up, 1 yes: what the caller hears at the end."""
    menu = press(client, ring(client, number, stir), number, "1")
    done = press(client, press(client, menu, number, "5"), number, "1")
    return done.text, menu.text


def people(svc: Services) -> int:
    with svc.sessions() as session:
        return session.scalar(select(func.count()).select_from(ConversationRow)) or 0


@pytest.mark.parametrize("caller", ["+447700900123", "+8613800138000"])
def test_callers_outside_the_allowed_countries_are_hung_up_on_and_never_texted(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, caller: str
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        assert ring(client, caller).hangs_up
        for step, key in (("language", "1"), ("menu", "4"), ("menu", "5"), ("consent", "1")):
            path = f"/twilio/voice/menu?step={step}&lang=en"
            assert press(client, path, caller, key).hangs_up  # every route, not the first only
        sweep_and_send(svc)
    assert fake_twilio.messages == [] and people(svc) == 0


@pytest.mark.parametrize("hidden", ["+266696687", "+8656696", "Anonymous", "Restricted", ""])
def test_hidden_numbers_hear_the_menu_but_cannot_sign_up_or_be_texted(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, hidden: str
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        menu = press(client, ring(client, hidden), hidden, "1")
        assert "press 5" in menu.text
        by_text = press(client, menu, hidden, "4")
        signed = press(
            client, press(client, press(client, by_text, hidden, "9"), hidden, "5"), hidden, "1"
        )
        sweep_and_send(svc)
    assert "cannot see your phone number" in by_text.text
    assert "cannot see your phone number" in signed.text
    assert fake_twilio.messages == [] and people(svc) == 0


@pytest.mark.parametrize(("language", "yes"), [("1", "YES"), ("2", "SÍ")])
def test_an_unverified_caller_id_gets_one_confirmation_text_and_joins_only_on_yes(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, language: str, yes: str
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        menu = press(client, ring(client, CALLER, SPOOFED), CALLER, language)
        told = press(client, press(client, menu, CALLER, "5"), CALLER, "1").text
        again = press(
            client, press(client, ring(client, CALLER, SPOOFED), CALLER, language), CALLER, "4"
        )
        sweep_and_send(svc)
        assert conversation(svc, CALLER).status == "confirming"
        [confirm] = fake_twilio.messages  # one text, however many keys
        welcome = reply(client, CALLER, yes)
    assert ("YES" in confirm["body"]) or ("SÍ" in confirm["body"])
    assert told and again.text
    assert conversation(svc, CALLER).status == "active"
    assert ("Thanks for signing up" in welcome) or ("Gracias por inscribirse" in welcome)
    with svc.sessions() as session:
        ledger = session.execute(
            select(ConsentEventRow.kind, ConsentEventRow.channel, ConsentEventRow.words)
        ).all()
    assert [(kind, channel) for kind, channel, _ in ledger] == [
        ("asked", "voice"),
        ("opt_in", "sms"),
    ]
    assert (
        ledger[1][2] == {"YES": "YES", "SÍ": "SI"}[yes]
    )  # the keyword, as the catalogue spells it


def test_an_unverified_caller_who_never_answers_yes_gets_nothing_more(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        sign_up_by_phone(client, CALLER, SPOOFED)
        sweep_and_send(svc)
        t.move_to(at(NY, 2026, 11, 9, 11, 0))
        sign_up_by_phone(client, CALLER, SPOOFED)
        sweep_and_send(svc)
    assert len(fake_twilio.messages) == 1
    assert conversation(svc, CALLER).status == "confirming"


@pytest.mark.parametrize("stir", ["TN-Validation-Passed-A", SPOOFED])
def test_a_number_that_said_stop_is_never_signed_up_by_a_key_and_is_told_to_text_start(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, stir: str
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        sms(client, CALLER, "SECOND")
        sms(client, CALLER, "STOP")
        menu = ring(client, CALLER, stir)  # a known caller hears the menu in their language
        heard = press(client, menu, CALLER, "5").text
        by_text = press(client, ring(client, CALLER, stir), CALLER, "4")
        sweep_and_send(svc)
    assert "text the word START" in heard and "text the word START" in by_text.text
    assert conversation(svc, CALLER).status == "opted_out"
    assert fake_twilio.messages == []


def test_a_fully_attested_caller_signs_up_as_before(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        heard, _ = sign_up_by_phone(client, CALLER, "TN-Validation-Passed-A")
        sweep_and_send(svc)
    assert "You are signed up" in heard
    assert conversation(svc, CALLER).status == "active"
    [welcome] = fake_twilio.messages
    assert "Thanks for signing up by phone" in welcome["body"]
