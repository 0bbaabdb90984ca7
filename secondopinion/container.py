"""The one container: everything a process builds once, for Flask, Celery, the CLI and tests.

The clock and the sender are passed in (tests and the simulator bring their own); nothing
is patched into a container after it is built.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from flows import Machine, load_content
from secondopinion.history import History, history_for
from secondopinion.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter
from secondopinion.sender import Sender, TwilioSender
from secondopinion.settings import Settings
from store.db import make_engine, make_sessions

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    machine: Machine
    sender: Sender
    limiter: RateLimiter
    validator: RequestValidator  # checks X-Twilio-Signature with the auth token
    history: History  # Twilio's log of the program's texts: the catch-up, erasing
    clock: Clock = utc_now


def rate_limiter(settings: Settings) -> RateLimiter:
    """Shared by every worker through Redis when there is one; else this process only."""
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url)
        return RedisRateLimiter(client, settings.send_rate_per_second)
    return LocalRateLimiter(settings.send_rate_per_second)


def build(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    sender: Sender | None = None,
    limiter: RateLimiter | None = None,
    history: History | None = None,
) -> Services:
    if problems := settings.program_problems(strict=settings.production):
        # Carriers check that HELP names a real contact; a stand-in must never reach a patient.
        raise ValueError("the program's words are not ready: " + "; ".join(problems))
    engine = make_engine(
        settings.database_url, settings.database_pool_size, settings.database_timeouts
    )
    return Services(
        settings=settings,
        engine=engine,
        sessions=make_sessions(engine),
        machine=Machine(load_content(), program=settings.program, hours=settings.office_hours),
        sender=sender or TwilioSender(settings),
        limiter=limiter or rate_limiter(settings),
        validator=RequestValidator(settings.twilio_auth_token),
        history=history or history_for(settings),
        clock=clock,
    )
