"""One gate all of a client's requests pass through, so the account's rate-limit budget is spent evenly.

Heroku's budget is per account, not per request, so pacing and 429 pauses are shared: when one
request learns the budget is low or receives a 429, every concurrent request slows down or waits.
"""

from __future__ import annotations

from infra.clock import Clock
from infra.heroku.policy import RetryPolicy, pacing_interval


class PacingGate:
    """Hands out start times: at most one start per pacing interval, none before a 429 pause ends."""

    def __init__(self, clock: Clock, policy: RetryPolicy) -> None:
        self._clock = clock
        self._policy = policy
        self._interval = 0.0
        self._next_start = float("-inf")

    @property
    def interval(self) -> float:
        """Seconds currently left between request starts (0 while the budget is above the reserve)."""
        return self._interval

    def observe_remaining(self, remaining: int | None) -> None:
        """Adjust the pace to the ``RateLimit-Remaining`` Heroku just reported."""
        if remaining is not None:
            self._interval = pacing_interval(remaining, self._policy)

    def pause_until(self, monotonic_deadline: float) -> None:
        """Hold every request until `monotonic_deadline` (after a 429, Heroku asked everyone to wait)."""
        self._next_start = max(self._next_start, monotonic_deadline)

    async def wait_turn(self) -> float:
        """Wait until this request may start; returns the seconds waited."""
        now = self._clock.monotonic()
        start = max(now, self._next_start)
        # Reserve the slot before sleeping, so concurrent callers queue behind it instead of racing.
        self._next_start = start + self._interval
        delay = start - now
        if delay > 0:
            await self._clock.sleep(delay)
        return max(delay, 0.0)
