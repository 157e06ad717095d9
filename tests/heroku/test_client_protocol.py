"""What the client sends and how it reads Heroku's answers, against the in-process sandbox."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from infra.errors import InvalidParams, NotFound, ReadOnlyViolation, Unauthorized, UnexpectedResponse
from infra.heroku import ACCEPT, ClientStats, HerokuClient
from infra.sandbox import SandboxTransport
from tests.fixtures.sandbox import SANDBOX_TOKEN
from tests.heroku.helpers import Watching, sandbox_client, sandbox_entries, sandbox_log

pytestmark = pytest.mark.anyio


async def test_every_request_carries_version_3_accept_user_agent_bearer_token_and_a_fresh_request_id(
    sandbox_transport: SandboxTransport,
) -> None:
    watching = Watching(sandbox_transport)
    async with sandbox_client(watching) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await heroku.get("/apps/shop-staging")
        await heroku.get_list("/apps")
    sent = [
        (r.headers["Accept"], r.headers["Authorization"], r.headers["User-Agent"].split(" ")[0])
        for r in watching.requests
    ]
    assert sent == [(ACCEPT, f"Bearer {SANDBOX_TOKEN}", "heroku-stack/0.1.0")] * 3
    ids = [r.headers["Request-Id"] for r in watching.requests]
    assert len(set(ids)) == 3
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert [r.headers.get("Range") for r in watching.requests] == [None, None, "id ..; max=1000"]


async def test_bodyless_requests_send_no_content_type(sandbox_transport: SandboxTransport) -> None:
    watching = Watching(sandbox_transport)
    async with sandbox_client(watching) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await heroku.delete("/apps/shop-staging")
    assert [r.headers.get("Content-Type") for r in watching.requests] == ["application/json", None]


async def test_get_returns_the_resource_and_writes_return_what_heroku_answered(
    sandbox_transport: SandboxTransport,
) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        created = await heroku.post("/apps", json={"name": "shop-staging"})
        merged = await heroku.patch("/apps/shop-staging/config-vars", json={"LOG_LEVEL": "INFO", "APP_ENV": "staging"})
        fetched = await heroku.get("/apps/shop-staging")
        config = await heroku.get("/apps/shop-staging/config-vars")
    assert (fetched["id"], fetched["name"]) == (created["id"], "shop-staging")
    assert merged == config == {"APP_ENV": "staging", "LOG_LEVEL": "INFO"}


async def test_a_missing_resource_is_not_found_with_method_path_status_and_herokus_request_id(
    sandbox_transport: SandboxTransport,
) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        with pytest.raises(NotFound) as err:
            await heroku.get("/apps/nope-nope")
    [logged] = await sandbox_entries(sandbox_transport)
    e = err.value
    assert (e.method, e.path, e.status, e.error_id, e.request_id) == (
        "GET",
        "/apps/nope-nope",
        404,
        "not_found",
        logged["request_id"],
    )
    assert (
        str(e)
        == f"GET /apps/nope-nope -> 404 not_found: Couldn't find that app. (nope-nope), request id {e.request_id}"
    )


async def test_invalid_fields_are_invalid_params_and_never_retried(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        with pytest.raises(InvalidParams) as err:
            await heroku.post("/apps", json={"name": "Not A Valid Name"})
        stats = heroku.stats
    assert (err.value.status, err.value.error_id) == (422, "invalid_params")
    assert (stats.requests, stats.retries) == (1, 0)


async def test_a_token_heroku_does_not_accept_is_unauthorized(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport, token="revoked-token") as heroku:
        with pytest.raises(Unauthorized) as err:
            await heroku.get("/account")
    assert str(err.value) == (
        f"GET /account -> 401 unauthorized: Invalid credentials provided., request id {err.value.request_id}"
    )


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
async def test_read_only_client_refuses_writes_before_sending_anything(
    sandbox_transport: SandboxTransport, method: str
) -> None:
    async with sandbox_client(sandbox_transport, read_only=True) as heroku:
        with pytest.raises(ReadOnlyViolation) as err:
            await heroku.request(method, "/apps", json={"name": "shop-staging"})
        stats = heroku.stats
    assert str(err.value) == f"{method} /apps refused: this client is read-only (verify and drift never write)"
    assert (stats, await sandbox_log(sandbox_transport)) == (ClientStats(), [])


async def test_read_only_client_still_reads(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport, read_only=True) as heroku:
        assert await heroku.get_list("/apps") == []


async def test_get_on_a_collection_points_at_get_list(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        with pytest.raises(UnexpectedResponse) as err:
            await heroku.get("/apps")
    assert re.fullmatch(
        r"GET /apps -> 200: expected a JSON object, got an array \(use get_list for collections\), request id \S+",
        str(err.value),
    )


async def test_paths_must_stay_on_the_api_host(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        with pytest.raises(ValueError, match=r"^path must be absolute within the API"):
            await heroku.get("//evil.example.com/apps")
        assert heroku.stats.requests == 0


async def test_stats_count_requests_by_method(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await heroku.patch("/apps/shop-staging/config-vars", json={"A": "1"})
        await heroku.get("/apps/shop-staging")
        await heroku.get("/apps/shop-staging/config-vars")
        stats = heroku.stats
    assert stats == ClientStats(
        requests=4,
        by_method={"GET": 2, "PATCH": 1, "POST": 1},
        rate_limit_remaining=4496,
    )


async def test_no_more_than_concurrency_requests_are_in_flight(sandbox_transport: SandboxTransport) -> None:
    watching = Watching(sandbox_transport)
    async with sandbox_client(watching, concurrency=3) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await asyncio.gather(*(heroku.get("/apps/shop-staging") for _ in range(12)))
    assert watching.peak_in_flight == 3


def test_client_refuses_zero_concurrency() -> None:
    with pytest.raises(ValueError, match=r"^concurrency must be at least 1 \(got 0\)$"):
        HerokuClient(token="x", concurrency=0)
