"""Messages per second per sender, shared by every worker through Redis when there is one."""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

LEASE_SHARE = 20  # a lease is at most this share of a window's budget...
MAX_LEASE = 10  # ...and at most this many sends


class LimiterDown(Exception):
    """The shared count (Redis) cannot be reached: nothing may be sent until it can."""


class RateLimiter(Protocol):
    def try_acquire(self, key: str) -> bool:
        """Take one send for `key` in this window if there is one left; never waits."""
        ...

    def acquire(self, key: str) -> None:
        """Block until one more message may go out for `key`."""
        ...


@dataclasses.dataclass
class _Lease:
    """Sends this process took from one window's shared budget, and how many it used."""

    slot: int
    left: int = 0
    used: int = 0
    used_before: int = 0  # in the window before: how big the next lease may be


class RedisRateLimiter:
    """A fixed one-second window counted in Redis, so all workers share one budget.

    At high rates a worker takes a few sends of the window at once (a lease) and hands them
    to its own threads, so Redis is asked once per lease instead of once per text. A lease
    never outlives its window and grows only with what this process has been sending (in
    this window and the one before), so idle leases do not eat the budget other workers
    need; at the rates a sender really has (1-30 a second) the lease is one send.
    """

    def __init__(
        self, client: redis.Redis, per_second: float, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.client = client
        self.per_window, self.window = _window(per_second)
        self.max_lease = min(max(self.per_window // LEASE_SHARE, 1), MAX_LEASE)
        self.sleep = sleep
        self.lock = threading.Lock()
        self.leases: dict[str, _Lease] = {}

    def try_acquire(self, key: str) -> bool:
        with self.lock:  # the window is read under the lock: no thread takes from an old one
            slot = math.floor(time.time() / self.window)
            lease = self._lease(key, slot)
            if lease.left == 0:
                wanted = max(1, lease.used, lease.used_before)  # doubles while it is used up
                lease.left = self._take(key, slot, min(wanted, self.max_lease))
            if lease.left == 0:
                return False
            lease.left -= 1
            lease.used += 1
            return True

    def acquire(self, key: str) -> None:
        _wait_for(self, key)

    def _lease(self, key: str, slot: int) -> _Lease:
        lease = self.leases.get(key)
        if lease is None or lease.slot < slot:
            used = lease.used if lease is not None and lease.slot == slot - 1 else 0
            lease = self.leases[key] = _Lease(slot, used_before=used)
        return lease

    def _take(self, key: str, slot: int, size: int) -> int:
        """Ask Redis for `size` sends of this window; how many it granted."""
        name = f"secondopinion:rate:{key}:{slot}"
        pipe = self.client.pipeline()
        pipe.incrby(name, size)
        pipe.expire(name, math.ceil(self.window) + 1)
        try:
            count = int(pipe.execute()[0])
        except redis.RedisError as error:
            raise LimiterDown(type(error).__name__) from error
        return max(0, min(size, self.per_window - (count - size)))


class LocalRateLimiter:
    """The same window in this process only: for the embedded set-up, one worker."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_window, self.window = _window(per_second)
        self.sleep = sleep
        self.lock = threading.Lock()
        self.slot, self.count = -1, 0

    def try_acquire(self, key: str) -> bool:
        with self.lock:
            slot = math.floor(time.time() / self.window)
            if slot != self.slot:
                self.slot, self.count = slot, 0
            if self.count < self.per_window:
                self.count += 1
                return True
            return False

    def acquire(self, key: str) -> None:
        _wait_for(self, key)


def _wait_for(limiter: RedisRateLimiter | LocalRateLimiter, key: str) -> None:
    """Sleep to the start of the next window until a send is granted."""
    while not limiter.try_acquire(key):
        now = time.time()
        limiter.sleep((math.floor(now / limiter.window) + 1) * limiter.window - now)


def _window(per_second: float) -> tuple[int, float]:
    """Whole messages per window: 0.5/s is 1 per 2 s, 10/s is 10 per second."""
    if per_second <= 0:
        raise ValueError("send rate must be positive")
    if per_second >= 1:
        return math.floor(per_second), 1.0
    return 1, 1.0 / per_second
