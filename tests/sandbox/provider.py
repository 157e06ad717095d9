"""How terraform-provider-heroku v5.2.10 (through heroku-go v5) talks to Heroku, for replaying its calls.

Research notes §1-§3: Basic auth with the token as password, `Accept` version 3, a
`User-Agent`, a fresh `Request-Id` per call, JSON bodies only when there is one; waits are
the TF SDK's `StateChangeConf` (refresh at once, then sleep 0.2 s doubling to 10 s; a state
that is neither pending nor target is an error).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from infra.clock import FakeClock
from tests.fixtures.sandbox import HEROKU_ACCEPT, SANDBOX_BASE_URL, SANDBOX_TOKEN

PROVIDER_HEADERS = {
    "Accept": HEROKU_ACCEPT,
    "Authorization": "Basic " + base64.b64encode(f"ops@example.com:{SANDBOX_TOKEN}".encode()).decode(),
    "User-Agent": "heroku/v5 (linux; amd64) terraform-provider-heroku/5.2.10",
}
NEWEST_RELEASE = {"Range": "version ..; max=1,order=desc"}

Json = dict[str, Any]


async def _request_id(request: httpx.Request) -> None:
    request.headers["Request-Id"] = str(uuid.uuid4())


def provider_client(transport: httpx.AsyncBaseTransport, base_url: str = SANDBOX_BASE_URL) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=transport,
        base_url=base_url,
        headers=PROVIDER_HEADERS,
        event_hooks={"request": [_request_id]},
    )


async def call(client: httpx.AsyncClient, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """One provider call; any non-2xx fails the test with Heroku's error body."""
    response = await client.request(method, path, json=body, headers=headers or None)
    assert response.is_success, f"{method} {path} -> {response.status_code} {response.text}"
    return response.json()


async def wait_for(
    clock: FakeClock, refresh: Callable[[], Awaitable[str]], pending: set[str], target: set[str]
) -> list[str]:
    """The states seen until `target`, polling like `StateChangeConf` on the sandbox's fake clock."""
    seen = [await refresh()]
    delay = 0.2
    while seen[-1] not in target:
        assert seen[-1] in pending, f"unexpected state {seen[-1]!r}, wanted {target} (seen {seen})"
        assert len(seen) < 50, f"never reached {target}: {seen}"
        clock.advance(delay)
        delay = min(delay * 2, 10.0)
        seen.append(await refresh())
    return seen


def assert_reads(obj: Json, fields: dict[str, type | tuple[type, ...]]) -> None:
    """Each dotted field the provider reads is present with a type its Go struct can decode."""
    wrong = []
    for path, expected in fields.items():
        value: Any = obj
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                wrong.append(f"{path}: missing")
                break
            value = value[part]
        else:
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                wrong.append(f"{path}: {value!r} is not {expected}")
    assert wrong == []


def normalise_size(size: str) -> str:
    """The provider v5.2.10's size normalisation: first dash-segment title-cased, the others upper-cased."""
    first, *rest = size.split("-")
    return "-".join([first.capitalize(), *(part.upper() for part in rest)])
