"""The service's clock, run ahead for a sandbox number while a request is about that number."""

from __future__ import annotations

import datetime as dt

from flask import has_request_context, request
from sqlalchemy.orm import Session, sessionmaker

from flows.phones import to_e164
from secondopinion.container import Clock
from store.sandbox import is_fictional, offset


def sandbox_clock(base: Clock, sessions: sessionmaker[Session]) -> Clock:
    """`base`, plus the sandbox's offset when the request comes from (or goes to) a sandbox."""

    def now() -> dt.datetime:
        return base() + offset_for_request(sessions)

    return now


def offset_for_request(sessions: sessionmaker[Session]) -> dt.timedelta:
    if not has_request_context() or request.method != "POST":
        return dt.timedelta(0)
    for field in ("From", "To"):
        phone = to_e164(request.form.get(field, ""))
        if phone and is_fictional(phone):
            with sessions() as session:
                ahead = offset(session, phone)
            if ahead is not None:
                return ahead
    return dt.timedelta(0)
