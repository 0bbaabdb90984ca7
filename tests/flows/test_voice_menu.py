"""The phone menu as a pure machine, and what its keys change in a conversation."""

from __future__ import annotations

from flowkit import NOW, PROGRAM, at_ready

from flows import Conversation, Language, Machine, Reply, Status, render
from flows.conversation.outcome import ConsentKind
from flows.reminders.sending import CallRules, Verdict, channel, decide
from flows.voice import menu
from flows.voice.actions import KeysPressed
from flows.voice.speech import spoken_parts

EN, ES = Language.EN, Language.ES


def keys(said: menu.VoiceOutcome) -> list[str]:
    return [s.key for s in said.say if not isinstance(s, str)]


def test_a_stranger_hears_both_languages_and_picks_one() -> None:
    first = menu.answer(None)
    assert keys(first) == ["language_menu", "language_menu"]
    assert first.next == menu.Call(menu.CallStep.LANGUAGE, EN)
    spanish = menu.press(menu.Call(menu.CallStep.LANGUAGE, EN), "2", None)
    assert keys(spanish) == ["menu_new"] and spanish.next is not None
    assert spanish.next.language is ES


def test_a_known_caller_is_greeted_in_their_language() -> None:
    assert keys(menu.answer(at_ready(ES))) == ["greeting", "menu_enrolled"]


def test_a_wrong_key_is_asked_again_twice_then_goodbye() -> None:
    call = menu.Call(menu.CallStep.MENU, EN)
    again = menu.press(call, "7", None)
    assert keys(again)[0] == "not_understood" and again.next is not None
    last = menu.press(menu.Call(menu.CallStep.MENU, EN, tries=menu.MAX_TRIES), "7", None)
    assert keys(last) == ["goodbye"] and last.next is None


def test_signing_up_by_keypress_enrols_with_the_words_heard(machine: Machine) -> None:
    consent = menu.press(menu.Call(menu.CallStep.MENU, ES), "5", None)
    assert keys(consent) == ["consent"]
    signed = menu.press(menu.Call(menu.CallStep.CONSENT, ES), "1", None)
    assert signed.actions == (menu.Action.ENROL,)
    outcome = machine.step(Conversation(), KeysPressed(signed.actions, ES), NOW)
    assert outcome.conversation.status is Status.ACTIVE and outcome.conversation.language is ES
    assert outcome.consent is not None and outcome.consent.kind is ConsentKind.OPT_IN
    assert outcome.consent.heard is not None and outcome.consent.heard.key == "consent"
    assert [p.kind for p in outcome.reminders.one_offs] == ["welcome"]
    assert outcome.reminders.plan  # enrolling lays the plan


def test_text_me_this_reminder_keeps_the_reminder_words(machine: Machine) -> None:
    event = KeysPressed((menu.Action.TEXT_REMINDER,), EN, reminder_id=7, reminder_text="Hi")
    [one] = machine.step(at_ready(), event, NOW).reminders.one_offs
    assert (one.kind, one.key, one.body) == ("texted", "texted:7", "Hi")


def test_listening_or_being_put_through_changes_nothing(machine: Machine) -> None:
    dial = menu.press(menu.Call(menu.CallStep.MENU, EN), "0", None)
    assert dial.actions == (menu.Action.DIAL,)
    outcome = machine.step(at_ready(), KeysPressed(dial.actions, EN), NOW)
    assert outcome.conversation == at_ready() and not outcome.reminders.any


RULES = CallRules(planned_kinds={"phrase"}, max_calls=2, can_call=True)


def test_a_reminder_is_a_call_only_for_people_who_chose_calls_until_calls_run_out() -> None:
    calls = at_ready(calls=True)
    assert channel(calls, "phrase", True, 0, RULES) == "call"
    assert channel(calls, "phrase", True, 2, RULES) == "sms"  # both calls went unanswered
    assert channel(at_ready(), "phrase", True, 0, RULES) == "sms"
    assert channel(calls, "by_text", True, 0, RULES) == "sms"  # a one-off is always a text
    no_url = CallRules(planned_kinds={"phrase"}, max_calls=2, can_call=False)
    assert channel(calls, "phrase", True, 0, no_url) == "sms"


def test_a_due_reminder_waits_for_daytime_and_never_goes_without_consent(
    machine: Machine,
) -> None:
    window = machine.plan.window
    night = NOW.replace(hour=3)  # 22:00 in New York
    assert decide(at_ready(), "phrase", True, [], NOW, window).verdict is Verdict.SEND
    later = decide(at_ready(), "phrase", True, [], night, window)
    assert later.verdict is Verdict.DEFER and later.at is not None and later.at > night
    assert decide(at_ready(), "phrase", False, [], NOW, window).verdict is Verdict.CANCEL
    stranger = Conversation()
    assert decide(stranger, "by_text", False, [], NOW, window).verdict is Verdict.SEND


def test_a_wrong_key_at_the_language_menu_is_answered_in_both_languages() -> None:
    again = menu.press(menu.Call(menu.CallStep.LANGUAGE, EN), "7", None)
    said = [(s.language, s.key) for s in again.say if not isinstance(s, str)]
    assert said == [
        (EN, "not_understood"),
        (EN, "language_menu"),
        (ES, "not_understood"),
        (ES, "language_menu"),
    ]


def test_the_first_way_to_ask_comes_after_hearing_that_asking_is_normal() -> None:
    first = menu.press(menu.Call(menu.CallStep.MENU, ES), "1", None)
    assert keys(first) == ["normal", "phrase"]
    another = menu.press(first.next or menu.Call(menu.CallStep.PHRASE, ES), "1", None)
    assert keys(another) == ["phrase"]  # said once, not before every phrasing


def test_after_a_phrasing_2_says_what_to_do_if_the_doctor_gets_upset() -> None:
    upset = menu.press(menu.Call(menu.CallStep.PHRASE, EN), "2", None)
    assert keys(upset) == ["upset"] and upset.next is not None
    assert upset.next.step is menu.CallStep.INFO


def test_a_reminder_call_a_machine_may_have_taken_says_nothing_personal_before_a_key() -> None:
    gate = menu.reminder_gate(ES)
    assert keys(gate) == ["reminder_gate"] and not any(isinstance(s, str) for s in gate.say)
    heard = menu.press(gate.next or gate_call(), "1", None, spoken_reminder="Su cita es ...")
    assert "Su cita es ..." in heard.say


def gate_call() -> menu.Call:
    return menu.Call(menu.CallStep.GATE, ES)


def test_no_key_at_the_gate_leaves_the_voicemail_and_texts_the_reminder() -> None:
    again = menu.press(gate_call(), "", None, spoken_reminder="private")
    assert "private" not in again.say and again.next is not None
    voicemail = menu.press(again.next, "", None, spoken_reminder="private")
    assert keys(voicemail) == ["voicemail"] and voicemail.next is None
    assert voicemail.actions == (menu.Action.TEXT_REMINDER,)
    assert "private" not in voicemail.say


def test_8_on_a_reminder_call_stops_every_reminder_and_is_kept_in_the_ledger(
    machine: Machine,
) -> None:
    stop = menu.press(menu.Call(menu.CallStep.REMINDER, ES), "8", at_ready(ES))
    assert keys(stop) == ["stopped"] and stop.actions == (menu.Action.STOP_ALL,)
    outcome = machine.step(at_ready(ES, calls=True), KeysPressed(stop.actions, ES), NOW)
    assert outcome.conversation.status is Status.OPTED_OUT
    assert outcome.reminders.stop_all
    assert outcome.consent is not None and outcome.consent.kind is ConsentKind.OPT_OUT
    assert (outcome.consent.channel, outcome.consent.words) == ("voice", "pressed 8")
    assert outcome.consent.heard is not None and outcome.consent.heard.key == "reminder_options"


def test_the_reminder_options_say_how_to_stop_everything(machine: Machine) -> None:
    for language, words in ((EN, "stop all reminders"), (ES, "no recibir más recordatorios")):
        options = machine.render_key("reminder_options", language, channel="voice")
        assert words in options and ("press 8" in options or "oprima 8" in options)


def test_the_voicemail_says_the_number_to_call_back(machine: Machine) -> None:
    for language in (EN, ES):
        words = render(machine.content, PROGRAM, Reply("voicemail", language), "voice")
        assert "(212) 555-0100" in words


def test_phone_numbers_are_cut_out_of_spoken_text_to_be_read_digit_by_digit() -> None:
    parts = spoken_parts("Call (212) 555-0199 or +1 305 555 0100, then press 1.")
    assert parts == [
        ("Call ", False),
        ("(212) 555-0199", True),
        (" or ", False),
        ("+1 305 555 0100", True),
        (", then press 1.", False),
    ]
    assert spoken_parts("Press 1. Press 9.") == [("Press 1. Press 9.", False)]


def test_spanish_speech_never_says_stop_which_a_spanish_voice_reads_as_estop(
    machine: Machine,
) -> None:
    for key, text in machine.content[ES].voice.items():
        assert "STOP" not in text, key
