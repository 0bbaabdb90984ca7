"""The conversation's state: where the person is (step) kept apart from their standing (status)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from flows.content import RECORD_ITEMS
from flows.language import Language


class Step(StrEnum):
    """What the service is waiting for from the person."""

    LANGUAGE = "language"
    DATE = "date"
    DATE_CONFIRM = "date_confirm"
    REFERRAL = "referral"
    READY = "ready"
    OUTCOME = "outcome"  # the day after the visit: did it happen?


class Status(StrEnum):
    """The person's standing in the program, independent of the step."""

    NEW = "new"  # has texted, never enrolled
    ACTIVE = "active"
    OPTED_OUT = "opted_out"
    COMPLETED = "completed"  # the visit is past and the follow-up was sent
    UNREACHABLE = "unreachable"  # the carrier says the number cannot get texts
    CONFIRMING = "confirming"  # asked to join by a call we could not verify: waits for YES


# Nothing more is sent to a person in these, whatever was planned.
NO_MORE_TEXTS = frozenset({Status.OPTED_OUT, Status.UNREACHABLE})
# Conversations that are over (or never began): kept only RETENTION_DAYS after they went quiet.
FINISHED = frozenset({Status.COMPLETED, Status.OPTED_OUT, Status.UNREACHABLE, Status.NEW})


class Referral(StrEnum):
    """What we know about the insurance plan's referral rule."""

    UNKNOWN = "unknown"
    NEEDED = "needed"
    NOT_NEEDED = "not_needed"
    UNSURE = "unsure"
    SENT = "sent"


class VisitOutcome(StrEnum):
    """The person's answer to "did your visit happen?", kept as the conversation's outcome."""

    HAPPENED = "happened"
    MOVED = "moved"  # it has a new date
    NOT_YET = "not_yet"  # it has not happened, and there is no new date yet
    DID_NOT = "did_not_happen"


@dataclasses.dataclass(frozen=True, slots=True)
class Conversation:
    """One person's conversation, as the pure state machine sees it."""

    language: Language = Language.EN
    step: Step = Step.LANGUAGE
    status: Status = Status.NEW
    appointment: dt.date | None = None
    pending_date: dt.date | None = None
    date_deferred: bool = False  # the person said the visit is not booked yet
    referral: Referral = Referral.UNKNOWN
    records_done: frozenset[int] = frozenset()
    phrase_index: int = 0
    timezone: str = "America/New_York"  # IANA zone: "today" and quiet hours are the person's
    calls: bool = False  # reminders as phone calls instead of texts
    enrolled_at: dt.datetime | None = None  # anchors of the reminder plan (aware, UTC)
    referral_at: dt.datetime | None = None
    deferred_at: dt.datetime | None = None
    visit_outcome: VisitOutcome | None = None

    def replace(self, **changes: object) -> Conversation:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def records_missing(self) -> tuple[int, ...]:
        return tuple(i for i in RECORD_ITEMS if i not in self.records_done)

    @property
    def can_receive(self) -> bool:
        """Whether reminders may be sent (replies to their own texts aside)."""
        return self.status is Status.ACTIVE
