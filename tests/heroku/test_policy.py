"""Retry, back-off and pacing rules: pure functions, checked without a clock or a network."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from infra.heroku import RetryPolicy, backoff_delay, pacing_interval, parse_retry_after
from infra.heroku.policy import parse_remaining

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def test_only_safe_and_replacing_methods_are_retried_after_a_failure() -> None:
    policy = RetryPolicy()
    retried = [m for m in ("GET", "HEAD", "PUT", "DELETE", "POST", "PATCH") if policy.retries_after_failure(m)]
    assert retried == ["GET", "HEAD", "PUT"]


def test_retried_methods_are_configurable() -> None:
    policy = RetryPolicy(idempotent_methods=frozenset({"GET", "DELETE"}))
    assert [policy.retries_after_failure(m) for m in ("get", "delete", "put")] == [True, True, False]


def test_backoff_doubles_and_keeps_at_least_half_of_each_step() -> None:
    class Extremes(random.Random):
        def __init__(self, pick_high: bool) -> None:
            super().__init__(0)
            self.pick_high = pick_high

        def uniform(self, a: float, b: float) -> float:
            return b if self.pick_high else a

    low = [backoff_delay(n, base=0.5, cap=10, rng=Extremes(False)) for n in range(1, 8)]
    high = [backoff_delay(n, base=0.5, cap=10, rng=Extremes(True)) for n in range(1, 8)]
    assert low == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert high == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_backoff_with_a_seeded_rng_is_reproducible() -> None:
    first = [backoff_delay(n, base=1, cap=30, rng=random.Random(7)) for n in (1, 2, 3)]
    again = [backoff_delay(n, base=1, cap=30, rng=random.Random(7)) for n in (1, 2, 3)]
    assert first == again


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 120 ", 120.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("-3", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(("header", "remaining"), [(None, None), ("4499", 4499), (" 0 ", 0), ("many", None)])
def test_rate_limit_remaining_is_read_as_an_integer(header: str | None, remaining: int | None) -> None:
    assert parse_remaining(header) == remaining


def test_pacing_is_off_above_the_reserve_and_matches_the_refill_rate_at_half_of_it() -> None:
    policy = RetryPolicy(rate_limit_reserve=400, refill_per_second=1.25)
    intervals = [pacing_interval(r, policy) for r in (None, 4500, 400, 300, 200, 0)]
    assert intervals == [0.0, 0.0, 0.0, 0.4, 0.8, 1.6]


def test_pacing_with_no_reserve_never_slows_down() -> None:
    assert pacing_interval(0, RetryPolicy(rate_limit_reserve=0)) == 0.0


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match=r"^attempts must be at least 1 \(got 0\)$"):
        RetryPolicy(attempts=0)
