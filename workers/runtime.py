"""What a worker process builds once: database, flow machine, sender, rate limiter, clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import redis
from sqlalchemy.orm import Session, sessionmaker

from flows import Machine, load_content
from secondopinion.settings import Settings
from store.db import make_engine, make_sessions
from workers.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter
from workers.sender import Sender, TwilioSender

Clock = Callable[[], dt.datetime]
Dispatch = Callable[[list[int]], None]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass
class Runtime:
    settings: Settings
    sessions: sessionmaker[Session]
    machine: Machine
    sender: Sender
    limiter: RateLimiter
    clock: Clock = utc_now

    @classmethod
    def build(cls, settings: Settings, sender: Sender | None = None) -> Runtime:
        size = settings.database_pool_size
        pool: dict[str, int] = {"max_overflow": 10} if size else {}
        engine = make_engine(settings.database_url, max(size, 10) if size else 0, **pool)
        limiter: RateLimiter
        if settings.redis_url:
            client = redis.Redis.from_url(settings.redis_url)
            limiter = RedisRateLimiter(client, settings.send_rate_per_second)
        else:
            limiter = LocalRateLimiter(settings.send_rate_per_second)
        return cls(
            settings=settings,
            sessions=make_sessions(engine),
            machine=Machine(load_content(), program=settings.program),
            sender=sender or TwilioSender(settings),
            limiter=limiter,
        )
