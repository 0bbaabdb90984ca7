"""A test double of Twilio shared by tests, the simulator, the CLI and benchmarks.

`FakeTwilio` plays Twilio's REST API (what the service sends out); `Phone` plays what Twilio
posts to the service's webhooks (what comes in). Nothing here imports the service.
"""

from twilio_double.fake import FakeTwilio
from twilio_double.phone import (
    ACCOUNT_SID,
    PROGRAM_NUMBER,
    Answer,
    Phone,
    Transport,
    WebhookError,
    http_transport,
    new_sid,
    sign,
    sms_form,
    status_form,
    voice_form,
    wsgi_transport,
)
from twilio_double.remote import RemoteFakeTwilio
from twilio_double.rules import num_segments
from twilio_double.twiml import Turn, messages, read_turn

__all__ = [
    "ACCOUNT_SID",
    "PROGRAM_NUMBER",
    "Answer",
    "FakeTwilio",
    "Phone",
    "RemoteFakeTwilio",
    "Transport",
    "Turn",
    "WebhookError",
    "http_transport",
    "messages",
    "new_sid",
    "num_segments",
    "read_turn",
    "sign",
    "sms_form",
    "status_form",
    "voice_form",
    "wsgi_transport",
]
