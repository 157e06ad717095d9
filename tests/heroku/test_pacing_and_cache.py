"""The shared pacing gate (on a fake clock), the ETag cache and the stats snapshot."""

from __future__ import annotations

import asyncio

from infra.clock import FakeClock
from infra.heroku import EtagCache, RetryPolicy
from infra.heroku.etag_cache import CachedPage
from infra.heroku.pacing import PacingGate
from infra.heroku.stats import ClientStats, StatsRecorder


def run_turns(gate: PacingGate, count: int) -> list[float]:
    async def turns() -> list[float]:
        return list(await asyncio.gather(*(gate.wait_turn() for _ in range(count))))

    return asyncio.run(turns())


def test_gate_lets_requests_through_at_once_while_the_budget_is_high() -> None:
    clock = FakeClock()
    gate = PacingGate(clock, RetryPolicy(rate_limit_reserve=400, refill_per_second=1.25))
    gate.observe_remaining(4000)
    assert (run_turns(gate, 3), clock.sleeps) == ([0.0, 0.0, 0.0], [])


def test_gate_spaces_concurrent_requests_when_the_budget_is_low() -> None:
    clock = FakeClock()
    gate = PacingGate(clock, RetryPolicy(rate_limit_reserve=400, refill_per_second=1.25))
    gate.observe_remaining(200)  # half the reserve: one start per refill interval (0.8 s)
    waits = run_turns(gate, 3)
    # Each queued request waits for its slot; the three starts span two intervals.
    assert (waits, clock.monotonic()) == ([0.0, 0.8, 0.8], 1.6)


def test_gate_holds_everyone_after_a_pause() -> None:
    clock = FakeClock()
    gate = PacingGate(clock, RetryPolicy())
    gate.pause_until(5.0)
    assert run_turns(gate, 2) == [5.0, 0.0]  # the first sleep moved the fake clock past the pause


def test_etag_cache_forgets_the_least_recently_used_page() -> None:
    cache = EtagCache(max_entries=2)
    page = CachedPage(etag='"e"', status=200, next_range=None, body=b"{}")
    cache.put(("u", "/a", ""), page)
    cache.put(("u", "/b", ""), page)
    cache.get(("u", "/a", ""))
    cache.put(("u", "/c", ""), page)
    assert [cache.get(("u", p, "")) is not None for p in ("/a", "/b", "/c")] == [True, False, True]
    assert repr(cache) == "EtagCache(2 entries)"


def test_stats_snapshot_totals_requests_by_method() -> None:
    recorder = StatsRecorder()
    recorder.by_method.update({"PATCH": 1, "GET": 3})
    recorder.not_modified = 2
    assert recorder.snapshot() == ClientStats(requests=4, by_method={"GET": 3, "PATCH": 1}, not_modified=2)
