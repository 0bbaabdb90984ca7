"""Turning a phone-menu outcome into TwiML with twilio's VoiceResponse and Gather."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response
from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from flows import Machine
from flows.language import Language
from flows.voice.menu import Action, Call, VoiceOutcome
from flows.voice.speech import spoken_parts
from secondopinion.settings import Settings

GATHER_TIMEOUT_S = 6


def _say_args(settings: Settings, language: Language) -> dict[str, str]:
    if language is Language.ES:
        return {"language": settings.voice_es_language, "voice": settings.voice_es}
    return {"language": "en-US", "voice": settings.voice_en}


def call_query(call: Call, **extra: object) -> str:
    values: dict[str, object] = {"step": call.step, "lang": call.language, "tries": call.tries}
    values.update({"phrase": call.phrase, **extra})
    return urlencode(values)


def voice_twiml(
    outcome: VoiceOutcome, machine: Machine, settings: Settings, next_path: str, **extra: object
) -> Response:
    """Speak the outcome; then wait for one key (posting to `next_path`) or hang up."""
    response = VoiceResponse()
    target: VoiceResponse | Gather = response
    if outcome.next is not None:
        action = f"{next_path}?{call_query(outcome.next, **extra)}"
        lang = outcome.next.language
        target = Gather(
            num_digits=1,
            action=action,
            method="POST",
            timeout=GATHER_TIMEOUT_S,
            action_on_empty_result=True,
            **{"language": _say_args(settings, lang)["language"]},
        )
    for spoken in outcome.say:
        language = outcome.next.language if isinstance(spoken, str) and outcome.next else None
        if isinstance(spoken, str):
            target.append(_say(spoken, settings, language or Language.EN))
        else:
            text = machine.render(spoken, channel="voice")
            target.append(_say(text, settings, spoken.language))
    if isinstance(target, Gather):
        response.append(target)
    elif Action.DIAL in outcome.actions:
        _dial(response, machine, settings, outcome)
    else:
        response.hangup()
    return Response(str(response), mimetype="text/xml")


def _dial(
    response: VoiceResponse, machine: Machine, settings: Settings, outcome: VoiceOutcome
) -> None:
    language = next((s.language for s in outcome.say if not isinstance(s, str)), Language.EN)
    if settings.staff_phone_number:
        response.dial(settings.staff_phone_number)
        return
    text = machine.render_key("no_person", language, channel="voice")
    response.append(_say(text, settings, language))
    response.hangup()


def _say(text: str, settings: Settings, language: Language) -> Say:
    """One <Say>; a phone number in it goes in <say-as interpret-as="telephone">, so the
    voice reads it digit by digit instead of as one large number."""
    say = Say(**_say_args(settings, language))
    for words, is_phone in spoken_parts(text):
        if is_phone:
            say.say_as(words, interpret_as="telephone")
        else:
            say.nest(words)
    return say
