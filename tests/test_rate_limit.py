"""The send rate per sender holds across workers: they share one budget in Redis."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter

import pytest
import redis

from secondopinion.ratelimit import LocalRateLimiter, RedisRateLimiter
from tests.services import REDIS_URL, require_redis


def _burst(limiters: list, per_thread: int) -> list[float]:  # type: ignore[type-arg]
    stamps: list[float] = []
    lock = threading.Lock()

    def run(limiter) -> None:  # type: ignore[no-untyped-def]
        for _ in range(per_thread):
            limiter.acquire("+12125550100")
            with lock:
                stamps.append(time.time())

    threads = [threading.Thread(target=run, args=(limiter,)) for limiter in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return stamps


def test_two_workers_share_one_budget_per_second() -> None:
    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    workers = [RedisRateLimiter(client, per_second=15), RedisRateLimiter(client, per_second=15)]
    stamps = _burst(workers * 2, per_thread=12)  # 48 sends: at least three seconds
    per_second = Counter(math.floor(t) for t in stamps)
    assert len(stamps) == 48
    assert max(per_second.values()) <= 15
    assert max(stamps) - min(stamps) >= 2.0
    client.flushdb()


class _Waited(Exception):
    pass


def test_a_rate_below_one_a_second_makes_the_next_send_wait() -> None:
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        raise _Waited  # stop here: the limiter asked to wait, which is what we check

    limiter = LocalRateLimiter(per_second=0.5, sleep=sleep)
    limiter.acquire("x")
    with pytest.raises(_Waited):
        limiter.acquire("x")
    assert limiter.window == 2.0
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 2.0


def test_at_a_high_rate_a_worker_asks_redis_once_per_lease_and_the_budget_holds() -> None:
    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    limiter = RedisRateLimiter(client, per_second=200)  # a lease of 10 sends
    asked: list[int] = []
    real_pipeline = client.pipeline

    def counting_pipeline(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(1)
        return real_pipeline(*args, **kwargs)

    client.pipeline = counting_pipeline  # type: ignore[method-assign]
    stamps = _burst([limiter] * 4, per_thread=150)  # 600 sends: three seconds at least
    per_second = Counter(math.floor(t) for t in stamps)
    assert len(stamps) == 600
    assert max(per_second.values()) <= 200
    assert len(asked) < 600 / 5  # not one round trip per send
    client.flushdb()


def test_a_quiet_worker_takes_one_send_at_a_time_so_the_budget_stays_for_the_busy_ones() -> None:
    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    quiet = RedisRateLimiter(client, per_second=200)  # leases could be 10 sends
    quiet.acquire("+12125550100")
    taken = sum(int(client.get(key) or 0) for key in client.keys("secondopinion:rate:*"))
    assert taken == 1
    client.flushdb()
