"""The shared send rate as one chunk's budget: taken just before each send, never waited
for while people are locked, and out of reach (Redis down) said plainly."""

from __future__ import annotations

import dataclasses

from secondopinion.ratelimit import LimiterDown, RateLimiter


@dataclasses.dataclass
class Budget:
    """The shared send rate, taken one send at a time just before each send."""

    limiter: RateLimiter
    key: str
    banked: bool = False  # one send already waited for, with no one locked
    short: bool = False  # the window ran out while people were locked
    down: bool = False  # the shared count cannot be reached: nothing more goes now

    def take(self) -> bool:
        if self.banked:
            self.banked = False
            return True
        try:
            self.short = not self.limiter.try_acquire(self.key)
        except LimiterDown:
            self.down = True
            return False
        return not self.short

    def wait(self) -> None:
        """Wait for the next send with no one locked, and keep it for the next group."""
        try:
            self.limiter.acquire(self.key)
        except LimiterDown:
            self.down = True
            return
        self.banked, self.short = True, False
