"""POST /twilio/sms end to end: signed requests in, TwiML out, everything in the database."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from secondopinion.settings import Settings
from store.models import ConsentEventRow, ConversationRow, MessageRow
from tests.builders import AUTH_TOKEN, PUBLIC_BASE_URL, replies, reply, signature, sms, sms_form
from webhooks import create_app

PATIENT = "+1 212 555 0101"
E164 = "+12125550101"


def count(app: Flask, model: type) -> int:
    with app.extensions["secondopinion"].sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def conversation(app: Flask, phone: str = E164) -> ConversationRow:
    with app.extensions["secondopinion"].sessions() as session:
        return session.scalars(select(ConversationRow).where(ConversationRow.phone == phone)).one()


@pytest.mark.parametrize(
    ("keyword", "language", "name", "rates"),
    [
        ("SECOND", "en", "Second Opinion Prep", "Msg & data rates may apply"),
        ("segunda", "es", "Su Segunda Opinión", "tarifas de mensajes y datos"),
    ],
)
def test_enrolment_records_consent_with_the_exact_text_shown(
    app: Flask, client: FlaskClient, keyword: str, language: str, name: str, rates: str
) -> None:
    text = reply(client, PATIENT, keyword)

    assert name in text and rates in text and "STOP" in text
    with app.extensions["secondopinion"].sessions() as session:
        event = session.scalars(select(ConsentEventRow)).one()
    assert (event.phone, event.kind, event.words, event.shown_text) == (
        E164,
        "opt_in",
        keyword.upper(),  # the keyword as the catalogue spells it, not the person's typing
        text,
    )
    assert event.at.tzinfo is not None
    assert conversation(app).language == language


def test_a_whole_english_conversation_is_kept_between_requests(
    app: Flask, client: FlaskClient
) -> None:
    reply(client, PATIENT, "SECOND")
    assert "When is your second-opinion visit?" in reply(client, PATIENT, "1")
    assert "December 15" in reply(client, PATIENT, "Dec 15")
    assert "referral" in reply(client, PATIENT, "yes")
    assert "member services" in reply(client, PATIENT, "not sure")
    reply(client, PATIENT, "DONE 1")

    row = conversation(app)
    assert (row.step, row.referral, row.records_done) == ("ready", "unsure", "1")
    assert str(row.appointment).endswith("-12-15")
    assert count(app, MessageRow) == 12  # six texts in, six answers out


def test_the_time_zone_is_guessed_from_the_area_code(app: Flask, client: FlaskClient) -> None:
    reply(client, "+1 808 555 0102", "SECOND")
    assert conversation(app, "+18085550102").timezone == "Pacific/Honolulu"


def test_a_repeated_message_sid_changes_nothing_and_answers_the_same(
    app: Flask, client: FlaskClient
) -> None:
    reply(client, PATIENT, "SECOND")
    first = sms(client, PATIENT, "PHRASES", sid="SMrepeated0000000000000000000000")
    again = sms(client, PATIENT, "PHRASES", sid="SMrepeated0000000000000000000000")

    assert first == again and len(first) == 1
    assert conversation(app).phrase_index == 1
    assert count(app, MessageRow) == 4


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "forged"},
        {
            "X-Twilio-Signature": signature(
                "/twilio/sms", sms_form(PATIENT, "SECOND", "SMx"), "other"
            )
        },
    ],
    ids=["missing", "garbage", "wrong-token"],
)
def test_an_unsigned_or_forged_request_gets_403_and_stores_nothing(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.post("/twilio/sms", data=sms_form(PATIENT, "SECOND", "SMx"), headers=headers)

    assert response.status_code == 403
    assert count(app, ConversationRow) == count(app, MessageRow) == count(app, ConsentEventRow) == 0


def test_a_signature_for_another_url_is_rejected(app: Flask, client: FlaskClient) -> None:
    form = sms_form(PATIENT, "SECOND")
    forged = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + "/elsewhere", form)
    response = client.post("/twilio/sms", data=form, headers={"X-Twilio-Signature": forged})
    assert response.status_code == 403


OVERRIDES = "rc=5&rp=5xx,ct,rt&ct=2000&rt=5000&tt=15000"


@pytest.mark.parametrize(
    ("signed_for", "status"),
    [
        (f"{PUBLIC_BASE_URL}/twilio/sms", 200),
        (f"{PUBLIC_BASE_URL}/twilio/sms#{OVERRIDES}", 200),
        (f"{PUBLIC_BASE_URL}/twilio/sms#rc=1", 403),
    ],
    ids=["without-the-fragment", "with-it", "another-fragment"],
)
def test_webhooks_with_connection_overrides_are_accepted_whether_or_not_twilio_signs_them(
    settings: Settings, signed_for: str, status: int
) -> None:
    app = create_app(settings.model_copy(update={"twilio_connection_overrides": OVERRIDES}))
    form = sms_form(PATIENT, "SECOND")
    signed = RequestValidator(AUTH_TOKEN).compute_signature(signed_for, form)
    response = app.test_client().post(
        "/twilio/sms", data=form, headers={"X-Twilio-Signature": signed}
    )
    assert response.status_code == status


def test_a_tampered_body_is_rejected(app: Flask, client: FlaskClient) -> None:
    form = sms_form(PATIENT, "SECOND")
    signed = signature("/twilio/sms", form)
    response = client.post(
        "/twilio/sms", data={**form, "Body": "STOP"}, headers={"X-Twilio-Signature": signed}
    )
    assert response.status_code == 403
    assert count(app, MessageRow) == 0


@pytest.mark.parametrize("phone", ["+44 20 7946 0101", "+234 803 555 0101", "+53 5 555 0101"])
def test_numbers_outside_the_allowed_countries_get_no_reply_and_nothing_is_stored(
    app: Flask, client: FlaskClient, phone: str
) -> None:
    assert sms(client, phone, "SECOND") == []
    assert count(app, ConversationRow) == 0


def test_territories_are_allowed_by_default(client: FlaskClient) -> None:
    assert "Su Segunda Opinión" in reply(client, "+1 787 555 0103", "SEGUNDA")


@pytest.mark.parametrize("field", ["From", "MessageSid"])
def test_a_request_without_sender_or_sid_is_a_400(
    app: Flask, client: FlaskClient, field: str
) -> None:
    form = sms_form(PATIENT, "SECOND")
    del form[field]
    response = client.post(
        "/twilio/sms", data=form, headers={"X-Twilio-Signature": signature("/twilio/sms", form)}
    )
    assert response.status_code == 400
    assert count(app, MessageRow) == 0


def test_after_stop_nothing_is_answered_until_start(app: Flask, client: FlaskClient) -> None:
    reply(client, PATIENT, "SECOND")
    assert "unsubscribed" in reply(client, PATIENT, "STOP")
    assert sms(client, PATIENT, "hello?") == []
    assert sms(client, PATIENT, "STOP") == []
    assert "back in" in reply(client, PATIENT, "START")

    with app.extensions["secondopinion"].sessions() as session:
        kinds = session.scalars(select(ConsentEventRow.kind).order_by(ConsentEventRow.id)).all()
    assert kinds == ["opt_in", "opt_out", "opt_in"]


def test_an_empty_reply_is_not_a_dead_end(client: FlaskClient) -> None:
    reply(client, PATIENT, "SECOND")
    reply(client, PATIENT, "1")
    assert "12/15" in reply(client, PATIENT, "")


def test_twiml_escapes_what_it_echoes(client: FlaskClient) -> None:
    assert replies("<Response><Message>a &amp; b</Message></Response>") == ["a & b"]


@pytest.mark.parametrize(
    "texts",
    [[], ["Got it."], ["x & y < z > \"q\" 's' \n\r\t é 😀 ]]>", "two"], ["&amp;", "<![CDATA[x]]>"]],
)
def test_the_twiml_string_is_what_twilios_messaging_response_writes(texts: list[str]) -> None:
    from twilio.twiml.messaging_response import MessagingResponse

    from webhooks.sms import twiml

    expected = MessagingResponse()
    for text in texts:
        expected.message(text)
    assert twiml(texts).get_data(as_text=True) == str(expected)


NY, PR = ("+12125550101", "US", "America/New_York"), ("+17875550101", "PR", "America/Puerto_Rico")


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("+12125550101", NY),
        ("(212) 555-0101", NY),
        ("212.555.0101", NY),
        ("+17875550101", PR),
        ("+16715550101", ("+16715550101", "GU", "Pacific/Guam")),
        ("+18085550101", ("+18085550101", "US", "Pacific/Honolulu")),
        ("+15555550101", ("+15555550101", None, None)),  # 555 is no area code: no country
        ("+442079460101", ("+442079460101", "GB", "Europe/London")),
        ("+33612345678", ("+33612345678", "FR", "Europe/Paris")),
        ("12", None),
        ("abc", None),
        ("", None),
    ],
)
def test_one_parse_of_a_number_gives_its_form_country_and_zone(
    raw: str, read: tuple[str, str | None, str | None] | None
) -> None:
    from flows import phones

    number = phones.read(raw)
    assert (number and (number.e164, number.region, number.zone)) == read
    assert phones.to_e164(raw) == (read and read[0])
    if read is not None:
        assert phones.region(read[0]) == read[1]
        assert phones.guess_timezone(read[0], "Etc/Fallback") == (read[2] or "Etc/Fallback")
