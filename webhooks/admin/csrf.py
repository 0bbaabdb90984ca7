"""CSRF: a random token kept in the signed session, required on every form post."""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def token() -> str:
    """The session's token, made on first use; templates put it in every form."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    found: str = session[FIELD]
    return found


def protect() -> None:
    """A before_request hook: any POST without the session's token is refused with 400."""
    if request.method != "POST":
        return
    sent = request.form.get(FIELD) or request.headers.get(HEADER, "")
    expected = session.get(FIELD)
    if not expected or not hmac.compare_digest(str(expected), sent):
        abort(400, "the form was out of date: reload the page and try again")
