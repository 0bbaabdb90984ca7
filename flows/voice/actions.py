"""What keys pressed on a call change in the caller's conversation: consent, channel, texts."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flows.content.render import Reply
from flows.conversation.outcome import Consent, ConsentKind, Outcome, next_setup_step
from flows.conversation.state import Conversation, Language, Status
from flows.reminders.changes import ReminderChanges
from flows.reminders.plan import Planned
from flows.voice.menu import Action

ONE_OFF_PRIORITY = 0


@dataclasses.dataclass(frozen=True, slots=True)
class KeysPressed:
    """A call step's side effects, for the caller (or the person a reminder call reached)."""

    actions: tuple[Action, ...]
    language: Language
    reminder_id: int | None = None  # the reminder this call read out, if it was one
    reminder_text: str | None = None  # its words as a text, for "send it by text"


def changes_anything(actions: tuple[Action, ...]) -> bool:
    """Listening, or being put through to a person, writes nothing."""
    return any(action is not Action.DIAL for action in actions)


def _one_off(kind: str, key: str, now: dt.datetime, body: str | None = None) -> Planned:
    return Planned(now, ONE_OFF_PRIORITY, kind, key, body)


def keys_pressed(conv: Conversation, event: KeysPressed, now: dt.datetime) -> Outcome:
    if conv.status is Status.NEW:
        conv = conv.replace(language=event.language)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    consent: Consent | None = None
    one_offs: list[Planned] = []
    for action in event.actions:
        if action is Action.ENROL and conv.status not in (Status.ACTIVE, Status.OPTED_OUT):
            conv = conv.replace(status=Status.ACTIVE, language=event.language, enrolled_at=now)
            conv = conv.replace(step=next_setup_step(conv))
            heard = Reply("consent", event.language)
            consent = Consent(ConsentKind.OPT_IN, "voice", "pressed 1", heard)
            one_offs.append(_one_off("welcome", f"welcome:{stamp}", now))
        elif action is Action.CONFIRM_BY_TEXT and conv.status is Status.NEW:
            conv = conv.replace(status=Status.CONFIRMING, language=event.language)
            heard = Reply("confirm_sent", event.language)
            consent = Consent(
                ConsentKind.ASKED, "voice", "pressed a key; caller ID unverified", heard
            )
            one_offs.append(_one_off("confirm", "confirm", now))  # one key: one text, ever
        elif action is Action.TEXT_INFO:
            one_offs.append(_one_off("by_text", f"by_text:{stamp}", now))
        elif action in (Action.CALLS_ON, Action.CALLS_OFF):
            conv = conv.replace(calls=action is Action.CALLS_ON)
        elif action is Action.PHRASE_HEARD:
            conv = conv.replace(phrase_index=conv.phrase_index + 1)
        elif action is Action.STOP_ALL and conv.status is Status.ACTIVE:
            conv = conv.replace(status=Status.OPTED_OUT)
            heard = Reply("reminder_options", event.language)
            consent = Consent(ConsentKind.OPT_OUT, "voice", "pressed 8", heard)
        elif action is Action.TEXT_REMINDER and event.reminder_id and event.reminder_text:
            key = f"texted:{event.reminder_id}"
            one_offs.append(_one_off("texted", key, now, event.reminder_text))
    return Outcome(conv, consent=consent, reminders=ReminderChanges(one_offs=tuple(one_offs)))
