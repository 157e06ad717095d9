"""When the client retries, how long it waits, and how it paces itself: pure functions over plain data.

What Heroku documents and this module relies on (research/heroku-api.md §4 "Rate limits"):
each account has a token bucket (4,500 requests, refilled about 75 a minute); every response
carries ``RateLimit-Remaining``; an empty bucket answers 429 ``rate_limit``, with a
``Retry-After`` header only sometimes. A 429 is refused before any work is done, so it is
safe to resend any method after one, as heroku-go's own 429 transport does.

Which requests are retried after a 5xx or a lost answer (RFC 9110 §9.2.2 plus Heroku's API):

- GET and HEAD: safe, always retried.
- PUT: idempotent; Heroku's PUTs (buildpack installations, ACM, feature flags) replace a whole
  value, so sending one twice leaves the same state.
- DELETE: idempotent by HTTP, but Heroku answers a repeated DELETE with 404 ``not_found``, so a
  blind retry after a lost answer would turn a success into an error. Not retried by default.
- POST and PATCH: not idempotent (a POST creates a release, an add-on, a promotion). Never
  retried after the request may have reached Heroku.
- Any method is retried when the connection could not even be opened (nothing was sent).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

DEFAULT_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries before it gives up, and how it spends the rate-limit budget.

    Failures (5xx, dropped connections, timeouts):
        attempts: tries per request in all, first one included (1 = never retry).
        base_delay, max_delay: the exponential back-off in seconds (doubling, capped), with jitter.
        idempotent_methods: methods resent after a 5xx or a lost answer (see the module docstring).
    Rate limit (429):
        rate_limit_wait: the most seconds one request may spend waiting on 429s before
            `RateLimited` is raised; a ``Retry-After`` longer than what is left fails at once.
        rate_limit_base_delay, rate_limit_max_delay: the back-off when Heroku sends no ``Retry-After``
            (doubling, capped, with jitter). Every 429 wait lasts at least one refill interval, the
            time the bucket needs to hold a token again, even if ``Retry-After`` says 0.
    Pacing (before the budget is gone):
        rate_limit_reserve: below this ``RateLimit-Remaining`` the client spaces its requests out.
        refill_per_second: Heroku's refill rate (75 a minute); at half the reserve the client
            sends at exactly this rate, so the budget settles there instead of reaching zero.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 10.0
    idempotent_methods: frozenset[str] = field(default=DEFAULT_IDEMPOTENT_METHODS)
    rate_limit_wait: float = 120.0
    rate_limit_base_delay: float = 2.0
    rate_limit_max_delay: float = 60.0
    rate_limit_reserve: int = 450
    refill_per_second: float = 75 / 60

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1 (got {self.attempts})")
        if (
            min(
                self.base_delay,
                self.max_delay,
                self.rate_limit_wait,
                self.rate_limit_base_delay,
                self.rate_limit_max_delay,
            )
            < 0
        ):
            raise ValueError("delays and waits must not be negative")
        if self.rate_limit_reserve < 0 or self.refill_per_second <= 0:
            raise ValueError("rate_limit_reserve must be >= 0 and refill_per_second > 0")

    @property
    def refill_interval(self) -> float:
        """Seconds Heroku takes to refill one request token."""
        return 1 / self.refill_per_second

    def retries_after_failure(self, method: str) -> bool:
        """True when `method` may be resent after a 5xx or a connection lost mid-request."""
        return method.upper() in self.idempotent_methods


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retry number `attempt` (1 = first retry): exponential, capped, jittered.

    "Equal jitter": half of the exponential step is kept and the other half drawn at random, so
    concurrent clients spread out while every retry still waits at least half its step.
    """
    step: float = min(cap, base * 2.0 ** (attempt - 1))
    return step / 2 + rng.uniform(0, step / 2)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None if absent/unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT by definition
        return None
    return max(0.0, (when - now).total_seconds())


def parse_remaining(value: str | None) -> int | None:
    """The ``RateLimit-Remaining`` header as a number, or None when absent or not an integer."""
    if value is None:
        return None
    text = value.strip()
    return int(text) if text.isdigit() else None


def pacing_interval(remaining: int | None, policy: RetryPolicy) -> float:
    """Seconds to leave between request starts, given the last ``RateLimit-Remaining`` seen.

    Zero while the budget is above the reserve; then growing linearly, reaching one refill
    interval at half the reserve and two at zero. Spending then matches Heroku's refill before
    the bucket is empty, so a long scan slows down instead of failing with 429s.
    """
    if remaining is None or remaining >= policy.rate_limit_reserve:
        return 0.0
    shortfall = (policy.rate_limit_reserve - max(remaining, 0)) / policy.rate_limit_reserve
    return 2 * shortfall / policy.refill_per_second
