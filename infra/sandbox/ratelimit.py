"""Heroku's request budget: a token bucket per API token, reported in `RateLimit-Remaining`."""

from __future__ import annotations

import threading

from infra.clock import Clock
from infra.sandbox.config import RateLimit


class TokenBuckets:
    """One bucket per API token; each request takes one token, time refills them up to capacity."""

    def __init__(self, limits: RateLimit, clock: Clock) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._levels: dict[str, tuple[float, float]] = {}  # token -> (level, at monotonic)

    def _level(self, token: str) -> float:
        now = self._clock.monotonic()
        level, at = self._levels.get(token, (float(self._limits.capacity), now))
        level = min(float(self._limits.capacity), level + (now - at) * self._limits.refill_per_second)
        self._levels[token] = (level, now)
        return level

    def take(self, token: str) -> tuple[bool, int]:
        """Spend one request; returns (allowed, remaining after it)."""
        with self._lock:
            level = self._level(token)
            if level < 1:
                return False, 0
            level -= 1
            self._levels[token] = (level, self._clock.monotonic())
            return True, int(level)

    def remaining(self, token: str) -> int:
        """What is left, without spending anything (`GET /account/rate-limits` is free)."""
        with self._lock:
            return int(self._level(token))

    def reset(self) -> None:
        with self._lock:
            self._levels.clear()
