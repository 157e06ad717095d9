"""Per-run accounting of what the client asked of Heroku: how many requests, of which kind, how they ended."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClientStats:
    """A snapshot of one client's traffic since it was opened.

    requests: HTTP requests sent, retries included (what the rate-limit budget pays for).
    by_method: `requests` split by method, e.g. ``{"GET": 12}``.
    not_modified: 304 answers, each a body served from the ETag cache.
    retries: requests that were resends after a 5xx, a lost connection or a 429.
    rate_limited: 429 answers received.
    server_errors: 5xx answers received.
    transport_errors: requests that got no HTTP answer (refused, dropped, timed out).
    rate_limit_remaining: the last ``RateLimit-Remaining`` Heroku reported, None before any.
    waited_seconds: time spent pacing and backing off, on the client's clock.
    """

    requests: int = 0
    by_method: Mapping[str, int] = field(default_factory=dict)
    not_modified: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    rate_limit_remaining: int | None = None
    waited_seconds: float = 0.0


class StatsRecorder:
    """The mutable counters behind `ClientStats`; only the client writes them."""

    def __init__(self) -> None:
        self.by_method: Counter[str] = Counter()
        self.not_modified = 0
        self.retries = 0
        self.rate_limited = 0
        self.server_errors = 0
        self.transport_errors = 0
        self.rate_limit_remaining: int | None = None
        self.waited_seconds = 0.0

    def snapshot(self) -> ClientStats:
        return ClientStats(
            requests=sum(self.by_method.values()),
            by_method=dict(sorted(self.by_method.items())),
            not_modified=self.not_modified,
            retries=self.retries,
            rate_limited=self.rate_limited,
            server_errors=self.server_errors,
            transport_errors=self.transport_errors,
            rate_limit_remaining=self.rate_limit_remaining,
            waited_seconds=self.waited_seconds,
        )
