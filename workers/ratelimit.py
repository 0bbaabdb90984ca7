"""Messages per second per sender, shared by every worker through Redis when there is one."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

LEASE_SHARE = 20  # a lease is at most this share of a window's budget...
MAX_LEASE = 10  # ...and at most this many sends


class RateLimiter(Protocol):
    def acquire(self, key: str) -> None:
        """Block until one more message may go out for `key`."""
        ...


class RedisRateLimiter:
    """A fixed one-second window counted in Redis, so all workers share one budget.

    At high rates a worker takes a few sends of the window at once (a lease) and hands them
    to its own threads, so Redis is asked once per lease instead of once per text. A lease
    never outlives its window, so the budget per window holds across workers; at the rates
    a sender really has (1-30 a second) the lease is one send.
    """

    def __init__(
        self, client: redis.Redis, per_second: float, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.client = client
        self.per_window, self.window = _window(per_second)
        self.lease = min(max(self.per_window // LEASE_SHARE, 1), MAX_LEASE)
        self.sleep = sleep
        self.lock = threading.Lock()
        self.leased: dict[str, tuple[int, int]] = {}  # key -> (window, sends left in it)

    def acquire(self, key: str) -> None:
        while True:
            now = time.time()
            slot = math.floor(now / self.window)
            with self.lock:
                if self._from_lease(key, slot) or self._take(key, slot):
                    return
            self.sleep((slot + 1) * self.window - now)

    def _from_lease(self, key: str, slot: int) -> bool:
        window, left = self.leased.get(key, (slot, 0))
        if window != slot or left == 0:
            return False
        self.leased[key] = (slot, left - 1)
        return True

    def _take(self, key: str, slot: int) -> bool:
        """Ask Redis for a lease in this window; keep what was granted beyond this send."""
        name = f"secondopinion:rate:{key}:{slot}"
        pipe = self.client.pipeline()
        pipe.incrby(name, self.lease)
        pipe.expire(name, math.ceil(self.window) + 1)
        count = int(pipe.execute()[0])
        granted = min(self.lease, self.per_window - (count - self.lease))
        if granted <= 0:
            return False
        self.leased[key] = (slot, granted - 1)
        return True


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
