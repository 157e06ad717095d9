"""Rate limits, 5xx bursts and dropped connections: each ends in the right answer or a typed error, in bounded time.

The sandbox injects the faults (`PUT /__sandbox/faults` via the `set_faults` fixture); the client
runs on its own `FakeClock`, so every wait is recorded instead of slept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from infra.clock import FakeClock
from infra.errors import HerokuError, RateLimited, ServerError, TransportError
from infra.heroku import RetryPolicy
from infra.sandbox import RateLimit, SandboxConfig, SandboxTransport, create_app
from infra.sandbox.server import free_port
from tests.fixtures.sandbox import SANDBOX_TOKEN, SetFaults
from tests.heroku.helpers import sandbox_client, sandbox_log

pytestmark = pytest.mark.anyio

RATE_LIMIT_MESSAGE = "Your account reached the API rate limit. Please wait a few minutes before making new requests."


# --- 429 -----------------------------------------------------------------------------------------


async def test_429_with_retry_after_waits_exactly_as_asked(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=2, retry_after=7)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        assert await heroku.get_list("/apps") == []
        stats = heroku.stats
    assert clock.sleeps == [7.0, 7.0]
    assert (stats.requests, stats.rate_limited, stats.retries, stats.waited_seconds) == (3, 2, 2, 14.0)
    assert await sandbox_log(sandbox_transport) == [("GET", "/apps", 429), ("GET", "/apps", 429), ("GET", "/apps", 200)]


async def test_429_without_retry_after_backs_off_exponentially_with_jitter(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=3)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        await heroku.get_list("/apps")
    low_high = [(1.0, 2.0), (2.0, 4.0), (4.0, 8.0)]  # half to all of 2 s, 4 s, 8 s
    assert len(clock.sleeps) == 3
    assert all(low <= slept <= high for slept, (low, high) in zip(clock.sleeps, low_high, strict=True))


async def test_endless_429s_end_in_rate_limited_once_the_wait_budget_is_spent(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=1_000)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock, retry=RetryPolicy(rate_limit_wait=30)) as heroku:
        with pytest.raises(RateLimited) as err:
            await heroku.get_list("/apps")
    assert sum(clock.sleeps) == pytest.approx(30.0)
    assert str(err.value) == (
        f"GET /apps -> 429 rate_limit: {RATE_LIMIT_MESSAGE} (gave up after waiting 30s of the 30s limit), "
        f"request id {err.value.request_id}"
    )


async def test_a_retry_after_beyond_the_wait_budget_fails_at_once(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=1, retry_after=600)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        with pytest.raises(RateLimited) as err:
            await heroku.get("/account")
    assert clock.sleeps == []
    assert err.value.api_message == (
        f"{RATE_LIMIT_MESSAGE} (Heroku asked to wait 600s, more than the 120s left of the 120s limit)"
    )


async def test_a_429_is_resent_even_for_a_post_because_heroku_refused_it_unprocessed(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=1, retry_after=1)
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        apps = await heroku.get_list("/apps")
    assert [a["name"] for a in apps] == ["shop-staging"]
    assert (await sandbox_log(sandbox_transport))[:2] == [("POST", "/apps", 429), ("POST", "/apps", 201)]


# --- pacing against the sandbox's real token bucket ----------------------------------------------


@pytest.fixture
def small_bucket() -> Iterator[tuple[SandboxTransport, FakeClock]]:
    """A sandbox whose bucket holds 100 requests refilled at 1 a second, on a clock the client shares."""
    clock = FakeClock()
    config = SandboxConfig(
        tokens=frozenset({SANDBOX_TOKEN}), clock=clock, rate_limit=RateLimit(capacity=100, refill_per_second=1.0)
    )
    app = create_app(config)
    yield SandboxTransport(app), clock
    app.state.sandbox.store.close()


async def test_pacing_keeps_a_long_scan_inside_the_budget(small_bucket: tuple[SandboxTransport, FakeClock]) -> None:
    transport, clock = small_bucket
    policy = RetryPolicy(rate_limit_reserve=60, refill_per_second=1.0)
    async with sandbox_client(transport, clock=clock, retry=policy) as heroku:
        for _ in range(300):
            await heroku.get("/account")
        stats = heroku.stats
    assert (stats.requests, stats.rate_limited) == (300, 0)
    # Spending settles where it matches the refill: half the reserve, give or take one request.
    assert stats.rate_limit_remaining is not None
    assert 29 <= stats.rate_limit_remaining <= 31


async def test_without_a_reserve_the_same_scan_runs_into_429s(small_bucket: tuple[SandboxTransport, FakeClock]) -> None:
    transport, clock = small_bucket
    policy = RetryPolicy(rate_limit_reserve=0, refill_per_second=1.0)
    async with sandbox_client(transport, clock=clock, retry=policy) as heroku:
        for _ in range(300):
            await heroku.get("/account")
        stats = heroku.stats
    assert stats.rate_limited > 0
    assert stats.requests == 300 + stats.rate_limited


# --- 5xx -----------------------------------------------------------------------------------------


async def test_a_5xx_burst_on_a_get_is_retried_with_growing_jittered_waits(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(error_burst=3)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        assert await heroku.get_list("/apps") == []
        stats = heroku.stats
    assert (stats.requests, stats.server_errors, stats.retries) == (4, 3, 3)
    low_high = [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0)]
    assert all(low <= slept <= high for slept, (low, high) in zip(clock.sleeps, low_high, strict=True))


async def test_a_5xx_burst_longer_than_the_attempts_is_a_server_error(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(error_burst=10)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        with pytest.raises(ServerError) as err:
            await heroku.get("/account")
    assert await sandbox_log(sandbox_transport) == [("GET", "/account", 503)] * 4
    assert len(clock.sleeps) == 3
    assert sum(clock.sleeps) <= 0.5 + 1 + 2
    assert str(err.value) == (
        "GET /account -> 503 service_unavailable: The API is temporarily unavailable., "
        f"request id {err.value.request_id}"
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/apps", {"name": "shop-production"}),
        ("PATCH", "/apps/shop-staging/config-vars", {"A": "1"}),
        ("DELETE", "/apps/shop-staging", None),
    ],
)
async def test_non_idempotent_requests_are_not_retried_on_5xx(
    sandbox_transport: SandboxTransport, set_faults: SetFaults, method: str, path: str, body: object
) -> None:
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        set_faults(error_burst=1)
        with pytest.raises(ServerError):
            await heroku.request(method, path, json=body)
        stats = heroku.stats
    assert (await sandbox_log(sandbox_transport))[1:] == [(method, path, 503)]
    assert (stats.retries, clock.sleeps) == (0, [])


async def test_a_put_is_resent_after_a_5xx_because_it_replaces_the_whole_value(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    path = "/apps/shop-staging/buildpack-installations"
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        set_faults(error_burst=1)
        installed = await heroku.put(path, json={"updates": [{"buildpack": "heroku/python"}]})
    assert [b["buildpack"]["name"] for b in installed] == ["heroku/python"]
    assert (await sandbox_log(sandbox_transport))[1:] == [("PUT", path, 503), ("PUT", path, 200)]


# --- dropped and refused connections -------------------------------------------------------------


async def test_dropped_connections_on_a_get_are_retried(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(drop_burst=2)
    async with sandbox_client(sandbox_transport) as heroku:
        assert await heroku.get_list("/apps") == []
        stats = heroku.stats
    assert (stats.requests, stats.transport_errors, stats.retries) == (3, 2, 2)
    assert await sandbox_log(sandbox_transport) == [("GET", "/apps", 0), ("GET", "/apps", 0), ("GET", "/apps", 200)]


async def test_a_post_whose_connection_dropped_is_not_resent(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    set_faults(drop_burst=1)
    async with sandbox_client(sandbox_transport) as heroku:
        with pytest.raises(TransportError) as err:
            await heroku.post("/apps", json={"name": "shop-staging"})
    assert str(err.value) == (
        "POST /apps: no answer from the Heroku API (RemoteProtocolError: peer closed connection without "
        "sending complete message body (sandbox fault))"
    )
    assert await sandbox_log(sandbox_transport) == [("POST", "/apps", 0)]


async def test_a_refused_connection_is_retried_for_any_method_then_a_transport_error() -> None:
    clock = FakeClock()
    closed = f"http://127.0.0.1:{free_port()}"
    async with sandbox_client(None, base_url=closed, clock=clock) as heroku:
        with pytest.raises(TransportError) as err:
            await heroku.post("/apps", json={"name": "shop-staging"})
        stats = heroku.stats
    assert (stats.requests, stats.transport_errors, len(clock.sleeps)) == (4, 4, 3)
    assert str(err.value).startswith("POST /apps: no answer from the Heroku API (ConnectError: ")


async def test_random_faults_end_in_the_answer_or_a_typed_error(
    sandbox_transport: SandboxTransport, set_faults: SetFaults
) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        app = await heroku.post("/apps", json={"name": "shop-staging"})
        set_faults(error_rate=0.1, drop_rate=0.05, seed=7)
        outcomes = await asyncio.gather(*(heroku.get("/apps/shop-staging") for _ in range(100)), return_exceptions=True)
        stats = heroku.stats
    answers = [o for o in outcomes if isinstance(o, dict)]
    assert all(isinstance(o, HerokuError) for o in outcomes if not isinstance(o, dict))
    assert {a["id"] for a in answers} == {app["id"]}
    assert len(answers) >= 95
    assert stats.server_errors > 0
    assert stats.transport_errors > 0
