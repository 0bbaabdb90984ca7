"""What the inbox and a person's page share to send a text: the form, the saved answers
offered, and the words for what became of it."""

from __future__ import annotations

from flask import request

from flows.inbox.saved import saved_answers, title
from flows.language import Language
from secondopinion.inbox.texts import MAX_TEXT, Refused, StaffText
from webhooks.current import services

REFUSALS = {  # why nothing was sent, and the HTTP status that says so
    Refused.NO_PERSON: ("There is no such person.", 404),
    Refused.NOT_TEXTABLE: ("Not sent: this person opted out or cannot get texts.", 409),
    Refused.CASE_CLOSED: ("Not sent: this case was closed meanwhile.", 409),
    Refused.EMPTY: ("Nothing to send: pick a saved answer or write a few words.", 400),
    Refused.TOO_LONG: (f"Too long: keep it to {MAX_TEXT} characters.", 400),
    Refused.UNKNOWN_ANSWER: ("That saved answer does not exist.", 400),
}
SEND_OUTCOMES = {
    "sent": "Sent.",
    "queued": "Queued: the simulator sends it within a few seconds.",
    "deferred": "Held for quiet hours: it goes when their morning starts.",
    "retry": "Twilio was busy: it will be tried again in a moment.",
    "unknown": "Twilio's answer was lost: it is checked with Twilio before it is sent again.",
    "cancelled": "Not sent: this person can no longer get texts.",
}
NOT_SENT = "Not sent: Twilio refused it. The person's timeline shows the error."


def staff_text() -> StaffText:
    """The form: a saved answer's key, or staff's own words."""
    return StaffText(saved=request.form.get("saved", ""), words=request.form.get("words", ""))


def answer_choices(language: Language) -> list[tuple[str, str, str]]:
    """(key, title, words in the person's language) of every saved answer."""
    machine = services().machine
    return [(k, title(k), machine.render_key(k, language)) for k in saved_answers(machine.content)]


def send_outcome(outcome: str) -> str:
    return SEND_OUTCOMES.get(outcome, NOT_SENT)
