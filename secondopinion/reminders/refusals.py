"""What a refused send means: retry later, stop texting the person, or fail visibly."""

from __future__ import annotations

import datetime as dt
import random
from enum import StrEnum

from twilio.base.exceptions import TwilioRestException

from flows.conversation.external import NOT_REACHABLE, UNSUBSCRIBED

BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(minutes=30)


class Refusal(StrEnum):
    RETRY = "retry"  # 429 and 5xx: the provider is busy or down
    OPTED_OUT = "opted_out"  # the carrier has the person unsubscribed
    UNREACHABLE = "unreachable"  # not a number that can get texts
    FAILED = "failed"  # anything else: shown to staff, not retried


def classify(error: TwilioRestException) -> Refusal:
    if error.code == UNSUBSCRIBED:
        return Refusal.OPTED_OUT
    if error.code in NOT_REACHABLE:
        return Refusal.UNREACHABLE
    if error.status == 429 or error.status >= 500:
        return Refusal.RETRY
    return Refusal.FAILED


def backoff(attempt: int, rand: random.Random | None = None) -> dt.timedelta:
    """Exponential with full jitter, so retries from many workers do not arrive together."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempt - 1, 0)))
    return ceiling * (rand or random).uniform(0.5, 1.0)
