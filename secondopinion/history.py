"""What Twilio keeps of the program's texts: read after an outage, deleted on erase.

The other side of the seam in sender.py: the same official client, honouring
TWILIO_API_BASE_URL and the timeout, for the Messages list, fetch and delete.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Protocol

from twilio.base.exceptions import TwilioRestException

from secondopinion.sender import twilio_client
from secondopinion.settings import Settings

log = logging.getLogger(__name__)
PAGE_SIZE = 100
MAX_LISTED = 20_000  # texts one catch-up reads at most (far beyond a day of this program)


@dataclasses.dataclass(frozen=True, slots=True)
class Received:
    """A text a phone sent to the program, as Twilio's log has it."""

    sid: str
    phone: str
    body: str
    sent_at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    status: str
    error_code: int | None


class History(Protocol):
    def received(self, to: str | None, since: dt.datetime) -> list[Received]:
        """Texts sent to `to` (any of the account's numbers: None) since then, oldest first."""
        ...

    def report(self, sid: str) -> Report | None:
        """Where an outbound text stands now; None when Twilio no longer has it."""
        ...

    def delete_conversation(self, phone: str) -> int:
        """Delete every text to and from `phone` at Twilio; how many."""
        ...


class TwilioHistory:
    def __init__(self, settings: Settings) -> None:
        self.client = twilio_client(settings)

    def received(self, to: str | None, since: dt.datetime) -> list[Received]:
        # Newest first. Twilio's docs speak of whole days for DateSent>, so reading stops
        # at the first text older than `since` rather than trusting the filter to the second.
        only = {"to": to} if to else {}
        listed = self.client.messages.stream(
            **only, date_sent_after=since, page_size=PAGE_SIZE, limit=MAX_LISTED
        )
        found: list[Received] = []
        for count, message in enumerate(listed, 1):
            text = _received(message)
            if text.sent_at < since:
                break
            if message.direction == "inbound":
                found.append(text)
            if count == MAX_LISTED:
                log.warning("catch-up: %d texts listed, the oldest may be left out", count)
        return found[::-1]  # oldest first; within one second, in the order they came

    def report(self, sid: str) -> Report | None:
        try:
            message = self.client.messages(sid).fetch()
        except TwilioRestException as error:
            if error.status == 404:
                return None
            raise
        code = message.error_code
        return Report(str(message.status), int(code) if code is not None else None)

    def delete_conversation(self, phone: str) -> int:
        theirs = self.client.messages.stream(from_=phone, page_size=PAGE_SIZE)
        ours = self.client.messages.stream(to=phone, page_size=PAGE_SIZE)
        sids = {str(message.sid) for message in (*theirs, *ours)}
        return sum(self._delete(sid) for sid in sorted(sids))

    def _delete(self, sid: str) -> int:
        try:
            return int(bool(self.client.messages(sid).delete()))
        except TwilioRestException as error:
            if error.status == 404:
                return 0  # gone already
            raise


def _received(message: object) -> Received:
    sent = getattr(message, "date_sent", None) or getattr(message, "date_created", None)
    assert isinstance(sent, dt.datetime), "Twilio gives every message a date"
    return Received(
        sid=str(getattr(message, "sid", "")),
        phone=str(getattr(message, "from_", "")),
        body=str(getattr(message, "body", "") or ""),
        sent_at=sent.astimezone(dt.UTC),
    )


class NoHistory:
    """No Twilio account (the sandbox): nothing was sent there, nothing to read or delete."""

    def received(self, to: str | None, since: dt.datetime) -> list[Received]:
        return []

    def report(self, sid: str) -> Report | None:
        return None

    def delete_conversation(self, phone: str) -> int:
        return 0


def history_for(settings: Settings) -> History:
    return TwilioHistory(settings) if settings.twilio_account_sid else NoHistory()
