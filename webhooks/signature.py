"""Every Twilio webhook proves it came from Twilio (X-Twilio-Signature), or gets 403."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, request

from webhooks.current import services

log = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Any])


def signed_url() -> str:
    """The URL Twilio signed: behind a proxy, PUBLIC_BASE_URL + path, as Twilio saw it."""
    base = services().settings.public_base_url.rstrip("/")
    if not base:
        return request.url
    query = request.query_string.decode()
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signed_urls() -> list[str]:
    """The URL, and the URL with the connection overrides ("#rc=…") the service gives Twilio
    and the README puts on the webhooks: the fragment never reaches us, so both are tried."""
    url = signed_url()
    overrides = services().settings.twilio_connection_overrides.lstrip("#")
    return [url, f"{url}#{overrides}"] if overrides else [url]


def _valid(signature: str) -> bool:
    validator = services().validator
    return any(validator.validate(url, request.form, signature) for url in signed_urls())


def twilio_signed(view: View) -> View:
    """Reject, before anything is read or stored, a request Twilio did not sign."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        svc = services()
        signature = request.headers.get("X-Twilio-Signature", "")
        token_set = bool(svc.settings.twilio_auth_token)
        if not (token_set and _valid(signature)):
            log.warning("rejected unsigned request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]
