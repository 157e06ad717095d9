"""Dynos (`heroku ps`, `ps:restart`, `ps:stop`): derived from the formation and the current release."""

from __future__ import annotations

import httpx
import pytest

from infra.clock import FakeClock
from tests.sandbox.helpers import deploy, new_app, ok

pytestmark = pytest.mark.anyio


async def test_an_app_without_a_released_slug_runs_no_dynos(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    assert await ok(sandbox_client.get("/apps/shop-staging/dynos")) == []


async def test_each_process_type_runs_its_quantity_of_dynos_on_the_current_release(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await new_app(sandbox_client, "shop-staging")
    release = await deploy(sandbox_client, "shop-staging", {"web": "gunicorn app:app", "worker": "celery worker"})
    await ok(
        sandbox_client.patch(
            "/apps/shop-staging/formation",
            json={
                "updates": [{"type": "web", "quantity": 2, "size": "standard-1x"}, {"type": "worker", "quantity": 1}]
            },
        )
    )

    running = await ok(sandbox_client.get("/apps/shop-staging/dynos"))
    one = await ok(sandbox_client.get(f"/apps/shop-staging/dynos/{running[0]['id']}"))

    assert sorted((d["name"], d["size"], d["state"], d["release"]["version"]) for d in running) == [
        ("web.1", "Standard-1X", "up", release["version"]),
        ("web.2", "Standard-1X", "up", release["version"]),
        ("worker.1", "Basic", "up", release["version"]),
    ]
    assert one == running[0]


async def test_restarts_start_the_named_dynos_afresh_and_answer_202(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging", {"web": "gunicorn app:app", "worker": "celery worker"})
    await ok(sandbox_client.patch("/apps/shop-staging/formation/worker", json={"quantity": 1}))
    before = {d["name"]: d["created_at"] for d in await ok(sandbox_client.get("/apps/shop-staging/dynos"))}

    sandbox_clock.advance(60)
    one = await ok(sandbox_client.delete("/apps/shop-staging/dynos/worker.1"), 202)
    after_one = {d["name"]: d["created_at"] for d in await ok(sandbox_client.get("/apps/shop-staging/dynos"))}
    sandbox_clock.advance(60)
    await ok(sandbox_client.delete("/apps/shop-staging/dynos"), 202)
    after_all = {d["name"]: d["created_at"] for d in await ok(sandbox_client.get("/apps/shop-staging/dynos"))}

    assert one == {}
    assert after_one["web.1"] == before["web.1"]
    assert after_one["worker.1"] > before["worker.1"]
    assert after_all["web.1"] > after_one["worker.1"]
    assert after_all["worker.1"] == after_all["web.1"]


async def test_a_stopped_dyno_of_a_scaled_process_type_is_started_again(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging")

    await ok(sandbox_client.post("/apps/shop-staging/formations/web/actions/stop"), 202)

    assert [d["name"] for d in await ok(sandbox_client.get("/apps/shop-staging/dynos"))] == ["web.1"]


async def test_restarting_a_dyno_or_process_type_that_is_not_running_is_404(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging")

    dyno = await sandbox_client.delete("/apps/shop-staging/dynos/worker.1")
    formation = await sandbox_client.delete("/apps/shop-staging/formations/worker")

    assert (dyno.status_code, dyno.json()["id"], dyno.json()["resource"]) == (404, "not_found", "dyno")
    assert formation.status_code == 404
