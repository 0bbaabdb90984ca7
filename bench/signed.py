"""Inbound texts as Twilio posts them, signed with the benchmarks' auth token, for the
benchmarks that load the webhook (`inbound.py`, `memory.py`).

Nothing here is imported by the service.
"""

from __future__ import annotations

import random
from typing import NamedTuple
from urllib.parse import urlencode

from _common import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL, SENDER_NUMBER, fictional_phone
from twilio.request_validator import RequestValidator

PATH = "/twilio/sms"
TEXTS = ("PHRASES", "RECORDS", "DONE 1", "DONE 2", "DONE 3")


class Signed(NamedTuple):
    signature: str  # X-Twilio-Signature
    body: str  # the urlencoded form


def signed_requests(count: int, people: int, seed: int) -> list[Signed]:
    """Twilio's form fields from one of `people` fictional numbers, a text of `TEXTS`, each
    with its own MessageSid, signed with the auth token (the same `seed`, the same list)."""
    validator = RequestValidator(AUTH_TOKEN)
    rand = random.Random(seed)
    url = PUBLIC_BASE_URL + PATH
    out = []
    for n in range(count):
        form = {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "Body": rand.choice(TEXTS),
            "From": fictional_phone(rand.randrange(people)),
            "MessageSid": f"SM{seed:08x}{n:024x}",
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "To": SENDER_NUMBER,
        }
        out.append(Signed(validator.compute_signature(url, form), urlencode(form)))
    return out
