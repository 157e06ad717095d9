"""Shared by the client tests: a client wired to the in-process sandbox, and a transport that watches it.

`Watching` is a pass-through transport (a seam, not a mock): every request still goes to the
real emulator; it only remembers the requests' headers and how many were in flight at once.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from infra.clock import FakeClock
from infra.heroku import HerokuClient, RetryPolicy
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN


class Watching(httpx.AsyncBaseTransport):
    """Forwards to `inner`; records each request's headers and the peak number in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.peak_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # give concurrent callers the chance to pile up, as a network would
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def sandbox_client(transport: httpx.AsyncBaseTransport, **overrides: Any) -> HerokuClient:
    """A `HerokuClient` on the in-process sandbox: the test token, a fake clock, seeded jitter."""
    options: dict[str, Any] = {
        "base_url": SANDBOX_BASE_URL,
        "token": SANDBOX_TOKEN,
        "transport": transport,
        "clock": FakeClock(),
        "rng": random.Random(3),
        "retry": RetryPolicy(),
    }
    options.update(overrides)
    return HerokuClient(**options)


async def sandbox_log(transport: httpx.AsyncBaseTransport) -> list[tuple[str, str, int]]:
    """What the sandbox saw (``GET /__sandbox/requests``) as (method, path, status); 0 = dropped."""
    return [(e["method"], e["path"], e["status"]) for e in await sandbox_entries(transport)]


async def sandbox_entries(transport: httpx.AsyncBaseTransport) -> list[dict[str, Any]]:
    """The sandbox's request log for the Heroku API, oldest first."""
    admin = httpx.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL)
    response = await admin.get("/__sandbox/requests")
    response.raise_for_status()
    return [e for e in response.json() if e["target"] == "api"]
