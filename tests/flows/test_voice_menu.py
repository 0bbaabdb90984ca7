"""The phone menu as a pure machine, and what its keys change in a conversation."""

from __future__ import annotations

from flowkit import NOW, at_ready

from flows import Conversation, Language, Machine, Status
from flows.conversation.outcome import ConsentKind
from flows.reminders.sending import CallRules, Verdict, channel, decide
from flows.voice import menu
from flows.voice.actions import KeysPressed

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
