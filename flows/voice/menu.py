"""The phone menu as a pure state machine: each keypress moves a call from one step to the next.

A call's state travels in the URL Twilio posts back (no cookie, no server memory), so any
web process can answer any step. The view turns an outcome into TwiML; nothing here does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import StrEnum

from flows.content.render import Reply
from flows.conversation.state import Conversation, Language, Status

MAX_TRIES = 2  # a missed or wrong key is asked again this many times, then goodbye


class CallStep(StrEnum):
    LANGUAGE = "language"  # an unknown caller picks 1 English / 2 Spanish
    MENU = "menu"
    PHRASE = "phrase"  # after a suggested phrasing: 1 another, 9 menu
    INFO = "info"  # after the records or insurance facts: 9 menu
    CONSENT = "consent"  # 1 sign up for text reminders, 2 back
    REMINDER = "reminder"  # an outbound reminder call: 1 again, 2 by text, 9 texts, 8 stop all
    GATE = "gate"  # a reminder call that may have reached a machine: 1 to hear it


class Action(StrEnum):
    """Side effects the web layer carries out in the same transaction."""

    TEXT_INFO = "text_info"  # text the caller the facts they heard
    ENROL = "enrol"  # consent given by keypress
    CALLS_ON = "calls_on"  # reminders by phone call from now on
    CALLS_OFF = "calls_off"  # reminders by text from now on
    DIAL = "dial"  # connect to a person
    TEXT_REMINDER = "text_reminder"  # send this call's reminder as a text
    PHRASE_HEARD = "phrase_heard"
    STOP_ALL = "stop_all"  # no more reminders at all, calls or texts (an opt-out by keypress)
    CONFIRM_BY_TEXT = "confirm_by_text"  # an unverified caller ID: one text asking for YES


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    step: CallStep
    language: Language
    tries: int = 0
    phrase: int = 0


Caller = Conversation | None  # None: a number we have never heard from
Spoken = Reply | str  # a catalogue entry, or a reminder already worded for speech


@dataclasses.dataclass(frozen=True, slots=True)
class VoiceOutcome:
    say: tuple[Spoken, ...]
    next: Call | None  # None: hang up after speaking
    actions: tuple[Action, ...] = ()


def _v(language: Language, key: str, **values: object) -> Reply:
    return Reply(key, language, **values)  # type: ignore[arg-type]


def _menu(caller: Caller, language: Language, *before: Spoken) -> VoiceOutcome:
    enrolled = caller is not None and caller.status is Status.ACTIVE
    key = "menu_enrolled" if enrolled else "menu_new"
    return VoiceOutcome((*before, _v(language, key)), Call(CallStep.MENU, language))


def answer(caller: Caller) -> VoiceOutcome:
    """The first words of an inbound call: known callers in their language, others asked."""
    if caller is None or caller.status is Status.NEW:
        both = (_v(Language.EN, "language_menu"), _v(Language.ES, "language_menu"))
        return VoiceOutcome(both, Call(CallStep.LANGUAGE, Language.EN))
    return _menu(caller, caller.language, _v(caller.language, "greeting"))


def reminder_call(language: Language, spoken: str) -> VoiceOutcome:
    """An outbound reminder call once a person picks up."""
    say = (_v(language, "reminder_intro"), spoken, _v(language, "reminder_options"))
    return VoiceOutcome(say, Call(CallStep.REMINDER, language))


def reminder_gate(language: Language) -> VoiceOutcome:
    """A reminder call that may have reached a machine: nothing personal before a key."""
    return VoiceOutcome((_v(language, "reminder_gate"),), Call(CallStep.GATE, language))


def unavailable() -> VoiceOutcome:
    """The fallback when the service cannot answer (its database is down): both languages,
    nothing that needs to know who is calling, then goodbye."""
    return VoiceOutcome((_v(Language.EN, "unavailable"), _v(Language.ES, "unavailable")), None)


def machine_message(language: Language) -> VoiceOutcome:
    """Voicemail: nothing private, just who called and the number to call back."""
    return VoiceOutcome((_v(language, "voicemail"),), None)


GATE_TRIES = 1  # the "press 1" is said again once; no key after that: a machine, most likely


def _again(call: Call, caller: Caller, spoken_reminder: str) -> VoiceOutcome:
    """No key or a wrong one: say the choices again, twice at most, then goodbye."""
    if call.step is CallStep.GATE and call.tries >= GATE_TRIES:
        voicemail = machine_message(call.language)
        return dataclasses.replace(voicemail, actions=(Action.TEXT_REMINDER,))
    if call.tries >= MAX_TRIES:
        return VoiceOutcome((_v(call.language, "goodbye"),), None)
    retry = dataclasses.replace(call, tries=call.tries + 1)
    if call.step is CallStep.LANGUAGE:  # not known yet which language they speak: both
        both = tuple(
            entry
            for lang in (Language.EN, Language.ES)
            for entry in (_v(lang, "not_understood"), _v(lang, "language_menu"))
        )
        return VoiceOutcome(both, retry)
    repeat = _REPEAT[call.step](call, caller, spoken_reminder)
    return VoiceOutcome((_v(call.language, "not_understood"), *repeat.say), retry)


def press(call: Call, digits: str, caller: Caller, *, spoken_reminder: str = "") -> VoiceOutcome:
    """What happens when the caller presses `digits` (empty: they pressed nothing)."""
    handler = _STEPS[call.step]
    outcome = handler(call, digits[:1], caller, spoken_reminder) if digits else None
    return outcome or _again(call, caller, spoken_reminder)


def _language(call: Call, key: str, caller: Caller, _s: str) -> VoiceOutcome | None:
    language = {"1": Language.EN, "2": Language.ES}.get(key)
    return _menu(caller, language) if language else None


def _main_menu(call: Call, key: str, caller: Caller, _s: str) -> VoiceOutcome | None:
    lang = call.language
    if key == "1":
        return _phrase(call, caller)
    if key == "2":
        return _records(call, caller)
    if key == "3":
        return VoiceOutcome((_v(lang, "insurance"),), Call(CallStep.INFO, lang))
    if key == "4":
        return VoiceOutcome((_v(lang, "by_text"),), Call(CallStep.INFO, lang), (Action.TEXT_INFO,))
    if key == "5":
        return _sign_up_or_switch(call, caller)
    if key == "0":
        return VoiceOutcome((_v(lang, "connecting"),), None, (Action.DIAL,))
    if key == "9":
        return _menu(caller, lang)
    return None


def _phrase(call: Call, caller: Caller) -> VoiceOutcome:
    """First that asking is normal, then one way to ask."""
    index = caller.phrase_index if caller else call.phrase
    say = (_v(call.language, "normal"), _v(call.language, "phrase", phrase=index))
    nxt = Call(CallStep.PHRASE, call.language, phrase=index + 1)
    return VoiceOutcome(say, nxt, (Action.PHRASE_HEARD,) if caller else ())


def _records(call: Call, caller: Caller) -> VoiceOutcome:
    if caller is None or caller.status is not Status.ACTIVE:
        reply = _v(call.language, "records_all")
    elif caller.records_missing:
        reply = _v(call.language, "records_missing", missing=caller.records_missing)
    else:
        reply = _v(call.language, "records_done")
    return VoiceOutcome((reply,), Call(CallStep.INFO, call.language))


def _sign_up_or_switch(call: Call, caller: Caller) -> VoiceOutcome:
    if caller is not None and caller.status is Status.OPTED_OUT:  # never re-enrolled by a key
        return VoiceOutcome((_v(call.language, "text_start"),), Call(CallStep.INFO, call.language))
    if caller is None or caller.status is not Status.ACTIVE:
        return VoiceOutcome((_v(call.language, "consent"),), Call(CallStep.CONSENT, call.language))
    if caller.calls:
        return VoiceOutcome((_v(call.language, "calls_off"),), None, (Action.CALLS_OFF,))
    return VoiceOutcome((_v(call.language, "calls_on"),), None, (Action.CALLS_ON,))


def _after_phrase(call: Call, key: str, caller: Caller, _s: str) -> VoiceOutcome | None:
    if key == "1":
        another = _v(call.language, "phrase", phrase=call.phrase)
        nxt = dataclasses.replace(call, phrase=call.phrase + 1, tries=0)
        return VoiceOutcome((another,), nxt, (Action.PHRASE_HEARD,) if caller else ())
    if key == "2":  # the doctor took it badly
        return VoiceOutcome((_v(call.language, "upset"),), Call(CallStep.INFO, call.language))
    return _menu(caller, call.language) if key == "9" else None


def _after_info(call: Call, key: str, caller: Caller, _s: str) -> VoiceOutcome | None:
    return _menu(caller, call.language) if key == "9" else None


def _consent(call: Call, key: str, caller: Caller, _s: str) -> VoiceOutcome | None:
    if key == "1":
        return VoiceOutcome((_v(call.language, "signed_up"),), None, (Action.ENROL,))
    return _menu(caller, call.language) if key == "2" else None


def _reminder(call: Call, key: str, caller: Caller, spoken: str) -> VoiceOutcome | None:
    lang = call.language
    if key == "1":
        return VoiceOutcome((spoken, _v(lang, "reminder_options")), Call(CallStep.REMINDER, lang))
    if key == "2":
        return VoiceOutcome((_v(lang, "reminder_texted"),), None, (Action.TEXT_REMINDER,))
    if key == "9":
        return VoiceOutcome((_v(lang, "calls_off"),), None, (Action.CALLS_OFF,))
    if key == "8":
        return VoiceOutcome((_v(lang, "stopped"),), None, (Action.STOP_ALL,))
    return None


def _gate(call: Call, key: str, caller: Caller, spoken: str) -> VoiceOutcome | None:
    return reminder_call(call.language, spoken) if key == "1" else None


_STEPS = {
    CallStep.LANGUAGE: _language,
    CallStep.MENU: _main_menu,
    CallStep.PHRASE: _after_phrase,
    CallStep.INFO: _after_info,
    CallStep.CONSENT: _consent,
    CallStep.REMINDER: _reminder,
    CallStep.GATE: _gate,
}


def _repeat_menu(call: Call, caller: Caller, _s: str) -> VoiceOutcome:
    return _menu(caller, call.language)


Repeat = Callable[[Call, Caller, str], VoiceOutcome]


def _repeat_step(key: str) -> Repeat:
    def repeat(call: Call, caller: Caller, _s: str) -> VoiceOutcome:
        return VoiceOutcome((_v(call.language, key),), call)

    return repeat


_REPEAT: dict[CallStep, Repeat] = {
    CallStep.MENU: _repeat_menu,
    CallStep.PHRASE: _repeat_step("phrase_options"),
    CallStep.INFO: _repeat_step("info_options"),
    CallStep.CONSENT: _repeat_step("consent"),
    CallStep.REMINDER: lambda call, caller, spoken: reminder_call(call.language, spoken),
    CallStep.GATE: lambda call, caller, spoken: reminder_gate(call.language),
}
