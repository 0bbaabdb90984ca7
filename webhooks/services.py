"""What the web process builds once at start-up and every request shares."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from flows import Content, Machine, load_content
from secondopinion.settings import Settings
from store.db import make_engine, make_sessions

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    content: Content
    machine: Machine
    validator: RequestValidator
    clock: Clock = utc_now

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = make_engine(settings.database_url, settings.database_pool_size)
        content = load_content()
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_sessions(engine),
            content=content,
            machine=Machine(content, program=settings.program),
            validator=RequestValidator(settings.twilio_auth_token),
        )


def init_services(app: Flask, services: Services) -> None:
    app.extensions["secondopinion"] = services


def services() -> Services:
    """The current app's services (inside a request or app context)."""
    found: Services = current_app.extensions["secondopinion"]
    return found
