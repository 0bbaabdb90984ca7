"""Reading TwiML back as a phone experiences it: the texts, or one turn of a call."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree


def messages(twiml: str) -> list[str]:
    """The bodies of the <Message> verbs, exactly as sent ("" or <Response/>: none)."""
    if not twiml.strip():
        return []
    found = []
    for message in ElementTree.fromstring(twiml).iter("Message"):
        body = message.find("Body")
        found.append((body if body is not None else message).text or "")
    return found


@dataclass(frozen=True, slots=True)
class Turn:
    """What the caller hears in one step, and where their next key goes (None: it ends)."""

    said: tuple[tuple[str, str], ...]  # (language attribute, words), in order
    next_path: str | None = None  # path?query of the Gather action
    dialled: str | None = None
    hangs_up: bool = False
    gather_language: str | None = None
    num_digits: int | None = None  # how many keys the Gather waits for

    @property
    def text(self) -> str:
        """Everything said, as one line: for assertions on words."""
        return " ".join(words for _, words in self.said)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def read_turn(twiml: str, current_path: str | None = None) -> Turn:
    """Parse one voice answer; a Gather without action posts back to `current_path`."""
    if not twiml.strip():
        return Turn(said=())  # an empty 200: nothing said, nothing gathered
    root = ElementTree.fromstring(twiml)
    said = tuple((say.get("language", ""), "".join(say.itertext())) for say in root.iter("Say"))
    gather = root.find("Gather")
    next_path = None
    if gather is not None:
        action = gather.get("action")
        next_path = _path(action) if action else current_path
    dial = root.find("Dial")
    dialled = None
    if dial is not None:
        number = dial.find("Number")
        dialled = ((number if number is not None else dial).text or "").strip() or None
    return Turn(
        said=said,
        next_path=next_path,
        dialled=dialled,
        hangs_up=root.find("Hangup") is not None,
        gather_language=gather.get("language") if gather is not None else None,
        num_digits=int(gather.get("numDigits", "0")) or None if gather is not None else None,
    )
