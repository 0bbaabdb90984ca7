"""Refusals made before a request's body is read: too large, unsigned, or not a Twilio form.

Twilio posts every webhook as `application/x-www-form-urlencoded` with an
`X-Twilio-Signature` header, and its largest request (a 1,600-character text) is a few KB.
Anything else is refused from the headers alone, so no body is parsed or spooled to disk.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request

TWILIO_FORM = "application/x-www-form-urlencoded"


def init_app(app: Flask, max_content_length: int) -> None:
    app.config["MAX_CONTENT_LENGTH"] = max_content_length  # a body without a length: cut off
    app.before_request(refuse_early)


def refuse_early() -> None:
    """413 for a declared body over the limit; 403 / 415 for a webhook post Twilio did not send."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    rule = request.url_rule
    if request.method != "POST" or rule is None or not rule.rule.startswith("/twilio/"):
        return
    if not request.headers.get("X-Twilio-Signature"):
        abort(403)
    if request.mimetype != TWILIO_FORM:
        abort(415)
