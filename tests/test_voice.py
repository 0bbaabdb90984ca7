"""The phone line: TwiML of every step in both languages, consent by keypress, reminder calls."""

from __future__ import annotations

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from secondopinion.container import Services
from secondopinion.reminders.prepare import prepare
from secondopinion.reminders.sweep import sweep
from secondopinion.settings import Settings
from store.models import ConsentEventRow
from tests.builders import call_status, press, reply, ring, voice_post
from tests.reminding import NY, at, clock, conversation, enrol, reminders, sweep_and_send
from twilio_double import FakeTwilio
from webhooks import create_app

CALLER = "+12125550121"
SPANISH = [("2", "es-US", "oprima")]


def test_an_unknown_caller_hears_a_short_bilingual_greeting(client: FlaskClient) -> None:
    call = ring(client, CALLER)
    assert [lang for lang, _ in call.said] == ["en-US", "es-US"]
    assert "press 1" in call.said[0][1] and "oprima 2" in call.said[1][1]
    assert call.next_path is not None and call.num_digits == 1
    assert call.next_path.startswith("/twilio/voice/menu?step=language")


@pytest.mark.parametrize(("key", "language", "word"), [("1", "en-US", "press"), *SPANISH])
def test_the_keypad_picks_the_language_of_the_menu(
    client: FlaskClient, key: str, language: str, word: str
) -> None:
    menu = press(client, ring(client, CALLER), CALLER, key)
    assert {lang for lang, _ in menu.said} == {language}
    assert f"{word} 5" in menu.text  # sign up for texts: a new caller is not enrolled
    assert menu.next_path is not None and menu.gather_language == language


def test_a_known_caller_is_greeted_in_their_language(client: FlaskClient) -> None:
    enrol(client, CALLER, "SEGUNDA", "2")
    call = ring(client, CALLER)
    assert call.said[0] == ("es-US", "Hola, gracias por llamar a Su Segunda Opinión.")
    assert "por mensaje o por llamada" in call.text


@pytest.mark.parametrize(("key", "language", "word"), [("1", "en-US", "press"), *SPANISH])
def test_phrases_one_at_a_time_then_back_to_the_menu(
    client: FlaskClient, key: str, language: str, word: str
) -> None:
    menu = press(client, ring(client, CALLER), CALLER, key)
    first = press(client, menu, CALLER, "1")
    second = press(client, first, CALLER, "1")
    assert first.text != second.text and f"{word} 1" in second.text
    assert press(client, second, CALLER, "9").next_path.startswith("/twilio/voice/menu?step=menu")


def test_the_records_checklist_speaks_the_callers_own_progress(client: FlaskClient) -> None:
    enrol(client, CALLER, "SECOND", "1", "NOT YET", "NO")
    reply(client, CALLER, "DONE 1 3")
    records = press(client, ring(client, CALLER), CALLER, "2")
    assert "Imaging" in records.text and "Pathology report" not in records.text
    assert "1" not in records.text.split("press")[0]  # no checklist numbers read aloud


def test_insurance_facts_without_enrolling(client: FlaskClient) -> None:
    menu = press(client, ring(client, CALLER), CALLER, "1")
    assert "member services number on your insurance card" in press(client, menu, CALLER, "3").text


def test_no_key_or_a_wrong_key_is_asked_twice_then_a_polite_goodbye(client: FlaskClient) -> None:
    menu = press(client, ring(client, CALLER), CALLER, "1")
    again = press(client, menu, CALLER, "")
    assert again.text.startswith("Sorry, we didn't understand.") and "press 9" in again.text
    once_more = press(client, again, CALLER, "7")
    goodbye = press(client, once_more, CALLER, "")
    assert goodbye.hangs_up and goodbye.next_path is None
    assert "Thank you for calling" in goodbye.text


def test_talk_to_a_person_dials_the_staff_number_when_set(
    app_with_staff: FlaskClient, client: FlaskClient
) -> None:
    menu = press(app_with_staff, ring(app_with_staff, CALLER), CALLER, "1")
    assert press(app_with_staff, menu, CALLER, "0").dialled == "+12125550199"
    unset = press(client, press(client, ring(client, CALLER), CALLER, "1"), CALLER, "0")
    assert unset.dialled is None and unset.hangs_up and "no one can take your call" in unset.text


@pytest.fixture
def app_with_staff(settings: Settings) -> FlaskClient:

    return create_app(
        settings.model_copy(update={"staff_phone_number": "+12125550199"})
    ).test_client()


def test_consent_by_keypress_is_recorded_with_what_was_said(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        menu = press(client, ring(client, CALLER), CALLER, "2")
        consent = press(client, menu, CALLER, "5")
        assert "Pueden aplicarse tarifas de mensajes y datos" in consent.text
        done = press(client, consent, CALLER, "1")
        assert done.hangs_up
        sweep_and_send(svc)
    with svc.sessions() as session:
        event = session.scalars(select(ConsentEventRow)).one()
    assert (event.kind, event.channel) == ("opt_in", "voice")
    assert event.shown_text == consent.said[0][1]
    assert conversation(svc, CALLER).status == "active"
    [welcome] = fake_twilio.messages
    assert "Gracias por inscribirse por teléfono" in welcome["body"]
    assert "¿Cuándo es su cita" in welcome["body"]


def test_get_it_by_text_sends_one_text_even_to_a_caller_who_never_enrolled(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)):
        menu = press(client, ring(client, CALLER), CALLER, "1")
        assert "sending you a text" in press(client, menu, CALLER, "4").text
        sweep_and_send(svc)
        sweep_and_send(svc)
    [text] = fake_twilio.messages
    assert "pathology report" in text["body"] and text["to"] == CALLER


def test_a_forged_voice_request_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/twilio/voice", data={"From": CALLER}, headers={"X-Twilio-Signature": "x"}
    )
    assert response.status_code == 403


def test_a_menu_step_without_its_state_is_a_400(client: FlaskClient) -> None:
    from tests.builders import post_signed

    assert post_signed(client, "/twilio/voice/menu", {"From": CALLER}).status_code == 400


# --- Reminder calls ---------------------------------------------------------------------------


def _enrolled_for_calls(client: FlaskClient, keyword: str = "SECOND") -> None:
    enrol(client, CALLER, keyword, "1" if keyword == "SECOND" else "2", "NOT YET", "NO")
    answer = reply(client, CALLER, "CALL" if keyword == "SECOND" else "LLAMADA")
    assert "call" in answer.lower() or "llamaremos" in answer


def _first_reminder_called(
    client: FlaskClient, svc: Services, t: time_machine.Traveller, keyword: str = "SECOND"
) -> int:
    """Enrol at 11:00 choosing calls; at 11:31 the checklist reminder is placed as a call."""
    _enrolled_for_calls(client, keyword)
    t.move_to(at(NY, 2026, 11, 2, 11, 31))
    sweep_and_send(svc)
    return reminders(svc, CALLER)[0].id


def test_a_person_who_chose_calls_gets_the_reminder_as_a_call(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        _enrolled_for_calls(client)
        t.move_to(at(NY, 2026, 11, 2, 11, 31))
        sweep_and_send(svc)
    assert fake_twilio.messages == []
    [placed] = fake_twilio.calls
    reminder = reminders(svc, CALLER)[0]
    assert placed["to"] == CALLER
    assert placed["url"].endswith(f"/twilio/voice/reminder?reminder={reminder.id}")
    assert placed["status_callback"].endswith(f"/twilio/voice/status?reminder={reminder.id}")
    assert placed["machine_detection"] == "DetectMessageEnd"

    path = f"/twilio/voice/reminder?reminder={reminder.id}"
    call = voice_post(client, path, CALLER, AnsweredBy="human")
    assert "with a reminder" in call.text and "Pathology report" in call.text
    assert "press 2" in call.text
    again = press(client, call, CALLER, "1")
    assert "Pathology report" in again.text


def test_a_call_whose_answer_was_lost_is_found_at_twilio_not_placed_again(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        _enrolled_for_calls(client)
        fake_twilio.accept_then_drop_connection_next(1)
        t.move_to(at(NY, 2026, 11, 2, 11, 31))
        sweep_and_send(svc)
        assert reminders(svc, CALLER)[0].status == "sending"
        t.move_to(at(NY, 2026, 11, 2, 11, 40))
        assert sweep_and_send(svc)["reconciled"] == 1
    [placed] = fake_twilio.calls
    assert reminders(svc, CALLER)[0].sid == placed["sid"]
    assert fake_twilio.messages == []


def test_a_call_that_never_reached_twilio_is_placed_once_after_reconciling(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        _enrolled_for_calls(client)
        t.move_to(at(NY, 2026, 11, 2, 11, 31))
        sweep(svc, lambda ids: prepare(svc, ids, svc.clock()))
        assert reminders(svc, CALLER)[0].status == "sending"  # as if killed right here
        t.move_to(at(NY, 2026, 11, 2, 11, 40))
        result = sweep_and_send(svc)
    assert result["reconciled"] == 1 and result["redispatched"] == 1
    assert len(fake_twilio.calls) == 1 and fake_twilio.messages == []


def test_press_2_texts_the_reminder_and_9_stops_calls(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        rid = _first_reminder_called(client, svc, t, "SEGUNDA")
        path = f"/twilio/voice/reminder?reminder={rid}"
        call = voice_post(client, path, CALLER, AnsweredBy="human")
        assert {lang for lang, _ in call.said} == {"es-US"}
        assert press(client, call, CALLER, "2").hangs_up
        t.move_to(at(NY, 2026, 11, 2, 12, 40))
        sweep_and_send(svc)
        call = voice_post(client, path, CALLER, AnsweredBy="human")
        assert "por mensaje de texto" in press(client, call, CALLER, "9").text
    [text] = fake_twilio.messages
    assert "Todavía necesita: 1 Informe de patología" in text["body"]
    assert conversation(svc, CALLER).calls is False


def test_no_answer_is_tried_once_more_then_sent_as_a_text(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        rid = _first_reminder_called(client, svc, t)
        call_status(client, rid, CALLER, "no-answer")
        t.move_to(at(NY, 2026, 11, 2, 11, 50))
        sweep_and_send(svc)
        assert len(fake_twilio.calls) == 1  # the retry waits for its delay
        t.move_to(at(NY, 2026, 11, 2, 12, 40))
        sweep_and_send(svc)
        assert len(fake_twilio.calls) == 2
        call_status(client, rid, CALLER, "busy")
        call_status(client, rid, CALLER, "busy")
        t.move_to(at(NY, 2026, 11, 2, 13, 45))
        sweep_and_send(svc)
    assert len(fake_twilio.calls) == 2
    [text] = fake_twilio.messages
    assert "Pathology report" in text["body"]


def test_an_answering_machine_hears_nothing_private_and_the_reminder_goes_by_text(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        rid = _first_reminder_called(client, svc, t)
        machine = voice_post(
            client, f"/twilio/voice/reminder?reminder={rid}", CALLER, AnsweredBy="machine_start"
        )
        t.move_to(at(NY, 2026, 11, 2, 12, 40))
        sweep_and_send(svc)
    assert machine.hangs_up and "call us back" in machine.text
    assert "Pathology" not in machine.text and "record" not in machine.text.lower()
    assert len(fake_twilio.messages) == 1


def test_text_goes_back_to_texts(client: FlaskClient) -> None:
    _enrolled_for_calls(client)
    assert "by text again" in reply(client, CALLER, "TEXT")


def _raw_press(client: FlaskClient, path: str, number: str, **form: str) -> str:
    """The TwiML itself, to see how a number is marked for the voice."""
    from tests.builders import post_signed

    response = post_signed(client, path, {"From": number, "To": "+12125550100", **form})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_wrong_key_at_the_language_menu_is_answered_in_both_languages(
    client: FlaskClient,
) -> None:
    again = press(client, ring(client, CALLER), CALLER, "7")
    assert [lang for lang, _ in again.said] == ["en-US", "en-US", "es-US", "es-US"]
    assert again.said[0][1] == "Sorry, we didn't understand."
    assert again.said[2][1] == "Perdone, no le entendimos."


def test_the_number_to_call_is_read_digit_by_digit(client: FlaskClient) -> None:
    menu = press(client, ring(client, CALLER), CALLER, "2")
    assert menu.next_path is not None
    twiml = _raw_press(client, menu.next_path, CALLER, Digits="0")
    assert '<say-as interpret-as="telephone">(212) 555-0199</say-as>' in twiml
    assert "llame al" in twiml


def test_a_voicemail_says_the_number_to_call_back(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        rid = _first_reminder_called(client, svc, t)
        path = f"/twilio/voice/reminder?reminder={rid}"
        twiml = _raw_press(client, path, CALLER, AnsweredBy="machine_end_beep")
    assert "call us back at" in twiml
    assert '<say-as interpret-as="telephone">(212) 555-0100</say-as>' in twiml
    assert "Pathology" not in twiml


@pytest.mark.parametrize("answered_by", ["unknown", None])
def test_when_detection_is_unsure_nothing_personal_is_said_before_a_key(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio, answered_by: str | None
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        rid = _first_reminder_called(client, svc, t)
        path = f"/twilio/voice/reminder?reminder={rid}"
        extra = {"AnsweredBy": answered_by} if answered_by else {}
        gate = voice_post(client, path, CALLER, **extra)
        assert "press 1" in gate.text and "Pathology" not in gate.text
        heard = press(client, gate, CALLER, "1")
        assert "Pathology report" in heard.text and "press 8" in heard.text
        silence = press(client, press(client, gate, CALLER, ""), CALLER, "")
        assert silence.hangs_up and "call us back" in silence.text
        assert "Pathology" not in silence.text
        t.move_to(at(NY, 2026, 11, 2, 12, 40))
        sweep_and_send(svc)
    [texted] = fake_twilio.messages  # nobody pressed a key: the reminder went by text
    assert "Pathology report" in texted["body"]


def test_8_on_a_reminder_call_stops_every_reminder_calls_and_texts(
    client: FlaskClient, svc: Services, fake_twilio: FakeTwilio
) -> None:
    with clock(at(NY, 2026, 11, 2, 11, 0)) as t:
        rid = _first_reminder_called(client, svc, t, "SEGUNDA")
        call = voice_post(
            client, f"/twilio/voice/reminder?reminder={rid}", CALLER, AnsweredBy="human"
        )
        stopped = press(client, call, CALLER, "8")
        assert stopped.hangs_up and "Ya no le enviaremos más recordatorios" in stopped.text
        t.move_to(at(NY, 2026, 11, 20, 12, 0))
        sweep_and_send(svc)
    assert conversation(svc, CALLER).status == "opted_out"
    assert {r.status for r in reminders(svc, CALLER)} <= {"sent", "cancelled"}
    with svc.sessions() as session:
        events = session.scalars(select(ConsentEventRow).order_by(ConsentEventRow.id)).all()
    assert [(e.kind, e.channel, e.words) for e in events][-1] == ("opt_out", "voice", "pressed 8")
    assert "oprima 8" in events[-1].shown_text
    assert fake_twilio.messages == [] and len(fake_twilio.calls) == 1
