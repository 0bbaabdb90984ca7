"""Builders for phone tests: post as Twilio Voice would, read the TwiML back as verbs."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask.testing import FlaskClient

from tests.builders import PROGRAM_NUMBER, post_signed


@dataclasses.dataclass
class Twiml:
    """One TwiML answer: what is said (text, language), where the next key goes, how it ends."""

    root: ElementTree.Element

    @property
    def says(self) -> list[tuple[str, str]]:
        return [(s.text or "", s.get("language", "")) for s in self.root.iter("Say")]

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.says)

    @property
    def gather(self) -> ElementTree.Element | None:
        return self.root.find("Gather")

    @property
    def next_path(self) -> str:
        assert self.gather is not None, "no Gather: the call ends here"
        action = self.gather.get("action", "")
        parts = urlsplit(action)
        return f"{parts.path}?{parts.query}"

    @property
    def hangs_up(self) -> bool:
        return self.root.find("Hangup") is not None

    @property
    def dials(self) -> str | None:
        dial = self.root.find("Dial")
        return dial.text if dial is not None else None


def voice_post(client: FlaskClient, path: str, phone: str, **form: str) -> Twiml:
    data = {"From": phone, "To": PROGRAM_NUMBER, "CallSid": "CA" + "1" * 32, **form}
    response = post_signed(client, path, data)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return Twiml(ElementTree.fromstring(response.get_data(as_text=True)))


def ring(client: FlaskClient, phone: str) -> Twiml:
    return voice_post(client, "/twilio/voice", phone)


def press(client: FlaskClient, twiml: Twiml, phone: str, digits: str) -> Twiml:
    return voice_post(client, twiml.next_path, phone, Digits=digits)


def call_status(client: FlaskClient, reminder_id: int, phone: str, status: str) -> None:
    """Twilio's report of how a reminder call ended."""
    form = {"From": PROGRAM_NUMBER, "To": phone, "CallSid": "CA" + "2" * 32, "CallStatus": status}
    response = post_signed(client, f"/twilio/voice/status?reminder={reminder_id}", form)
    assert response.status_code == 200
