"""The sandbox's own API under `/__sandbox/`: health, request log, reset."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.sandbox import SANDBOX_BASE_URL, SetFaults
from tests.sandbox.helpers import new_app, ok

pytestmark = pytest.mark.anyio


async def test_health_needs_no_credentials(sandbox_client: httpx.AsyncClient) -> None:
    anonymous = httpx.AsyncClient(transport=sandbox_client._transport, base_url=SANDBOX_BASE_URL)

    response = await anonymous.get("/__sandbox/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_the_request_log_lists_heroku_requests_with_status_and_request_id(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await sandbox_client.post("/apps", json={"name": "shop-staging"})
    await sandbox_client.get("/apps/nope", headers={"Request-Id": "req-1"})

    log = await ok(sandbox_client.get("/__sandbox/requests"))
    cleared = await ok(sandbox_client.delete("/__sandbox/requests"))
    after = await ok(sandbox_client.get("/__sandbox/requests"))

    assert [(e["method"], e["path"], e["status"], e["target"]) for e in log] == [
        ("POST", "/apps", 201, "api"),
        ("GET", "/apps/nope", 404, "api"),
    ]
    assert log[1]["request_id"] == "req-1"
    assert (cleared, after) == ([], [])


async def test_reset_forgets_resources_faults_and_the_log(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    await new_app(sandbox_client, "shop-staging")
    set_faults(latency_ms=5)

    await ok(sandbox_client.post("/__sandbox/reset"))

    assert await ok(sandbox_client.get("/apps")) == []
    assert (await ok(sandbox_client.get("/__sandbox/faults")))["latency_ms"] == 0
    assert [e["path"] for e in await ok(sandbox_client.get("/__sandbox/requests"))] == ["/apps"]


async def test_admin_settings_for_an_unknown_app_are_404(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.put("/__sandbox/apps/nope/http", json={"unhealthy": True})

    assert (response.status_code, response.json()["id"]) == (404, "not_found")


async def test_an_unknown_admin_field_is_422(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    response = await sandbox_client.put("/__sandbox/apps/shop-staging/http", json={"healthy": False})

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")
