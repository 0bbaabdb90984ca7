"""Messages per second per sender, shared by every worker through Redis when there is one."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis


class RateLimiter(Protocol):
    def acquire(self, key: str) -> None:
        """Block until one more message may go out for `key`."""
        ...


class RedisRateLimiter:
    """A fixed one-second window counted in Redis, so all workers share one budget."""

    def __init__(
        self, client: redis.Redis, per_second: float, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.client = client
        self.per_window, self.window = _window(per_second)
        self.sleep = sleep

    def acquire(self, key: str) -> None:
        while True:
            now = time.time()
            slot = math.floor(now / self.window)
            name = f"secondopinion:rate:{key}:{slot}"
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, math.ceil(self.window) + 1)
            count = int(pipe.execute()[0])
            if count <= self.per_window:
                return
            self.sleep((slot + 1) * self.window - now)


class LocalRateLimiter:
    """The same window in this process only: for the embedded set-up, one worker."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_window, self.window = _window(per_second)
        self.sleep = sleep
        self.lock = threading.Lock()
        self.slot, self.count = -1, 0

    def acquire(self, key: str) -> None:
        while True:
            with self.lock:
                now = time.time()
                slot = math.floor(now / self.window)
                if slot != self.slot:
                    self.slot, self.count = slot, 0
                if self.count < self.per_window:
                    self.count += 1
                    return
                wait = (slot + 1) * self.window - now
            self.sleep(wait)


def _window(per_second: float) -> tuple[int, float]:
    """Whole messages per window: 0.5/s is 1 per 2 s, 10/s is 10 per second."""
    if per_second <= 0:
        raise ValueError("send rate must be positive")
    if per_second >= 1:
        return math.floor(per_second), 1.0
    return 1, 1.0 / per_second
