"""Pipelines, couplings and promotions with per-target results."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.sandbox import SetFaults
from tests.sandbox.helpers import ALL_RELEASES, deploy, new_app, ok

pytestmark = pytest.mark.anyio


async def pipeline_of_two(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A pipeline with `shop-staging` (staging) and `shop-prod` (production) coupled."""
    pipeline = await ok(client.post("/pipelines", json={"name": "shop"}), 201)
    staging = await new_app(client, "shop-staging")
    prod = await new_app(client, "shop-prod")
    for app, stage in ((staging, "staging"), (prod, "production")):
        await ok(
            client.post("/pipeline-couplings", json={"app": app["id"], "pipeline": pipeline["id"], "stage": stage}), 201
        )
    return pipeline, staging, prod


def promotion_body(pipeline: dict[str, Any], source: dict[str, Any], *targets: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipeline": {"id": pipeline["id"]},
        "source": {"app": {"id": source["id"]}},
        "targets": [{"app": {"id": t["id"]}} for t in targets],
    }


async def test_a_pipeline_without_owner_is_owned_by_the_account_user(sandbox_client: httpx.AsyncClient) -> None:
    account = await ok(sandbox_client.get("/account"))

    pipeline = await ok(sandbox_client.post("/pipelines", json={"name": "shop"}), 201)
    by_id = await ok(sandbox_client.get(f"/pipelines/{pipeline['id']}"))

    assert pipeline["owner"] == {"id": account["id"], "type": "user"}
    assert by_id == pipeline


async def test_a_pipeline_is_found_by_name_only_while_an_app_is_coupled_to_it(
    sandbox_client: httpx.AsyncClient,
) -> None:
    pipeline = await ok(sandbox_client.post("/pipelines", json={"name": "shop"}), 201)
    app = await new_app(sandbox_client, "shop-staging")

    alone = await sandbox_client.get("/pipelines/shop")
    coupling = await ok(
        sandbox_client.post(
            "/pipeline-couplings", json={"app": {"name": app["name"]}, "pipeline": pipeline["id"], "stage": "staging"}
        ),
        201,
    )
    coupled = await ok(sandbox_client.get("/pipelines/shop"))
    await ok(sandbox_client.delete(f"/pipeline-couplings/{coupling['id']}"))
    uncoupled = await sandbox_client.get("/pipelines/shop")

    assert (alone.status_code, alone.json()["message"]) == (404, "Couldn't find that pipeline. (shop)")
    assert coupled["id"] == pipeline["id"]
    assert uncoupled.status_code == 404


@pytest.mark.parametrize("name", ["Shop", "sh", "1shop"])
async def test_an_invalid_pipeline_name_is_422(sandbox_client: httpx.AsyncClient, name: str) -> None:
    response = await sandbox_client.post("/pipelines", json={"name": name})

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_an_app_has_at_most_one_coupling_readable_through_the_app(sandbox_client: httpx.AsyncClient) -> None:
    pipeline, staging, _ = await pipeline_of_two(sandbox_client)

    again = await sandbox_client.post(
        "/pipeline-couplings", json={"app": staging["id"], "pipeline": pipeline["id"], "stage": "development"}
    )
    coupling = await ok(sandbox_client.get("/apps/shop-staging/pipeline-couplings"))
    of_pipeline = await ok(sandbox_client.get(f"/pipelines/{pipeline['id']}/pipeline-couplings"))

    assert (again.status_code, again.json()["id"]) == (422, "invalid_params")
    assert (coupling["app"], coupling["pipeline"], coupling["stage"]) == (
        {"id": staging["id"]},
        {"id": pipeline["id"]},
        "staging",
    )
    assert sorted(c["stage"] for c in of_pipeline) == ["production", "staging"]


async def test_an_uncoupled_app_has_no_coupling(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "loner")

    response = await sandbox_client.get("/apps/loner/pipeline-couplings")

    assert (response.status_code, response.json()["id"]) == (404, "not_found")


async def test_deleting_a_pipeline_removes_its_couplings(sandbox_client: httpx.AsyncClient) -> None:
    pipeline, _, _ = await pipeline_of_two(sandbox_client)

    await ok(sandbox_client.delete(f"/pipelines/{pipeline['id']}"))

    assert await ok(sandbox_client.get("/pipeline-couplings")) == []


async def test_a_promotion_releases_the_source_slug_on_each_target_with_its_own_config(
    sandbox_client: httpx.AsyncClient,
) -> None:
    pipeline, staging, prod = await pipeline_of_two(sandbox_client)
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"APP_ENV": "staging"})
    await sandbox_client.patch("/apps/shop-prod/config-vars", json={"APP_ENV": "production"})
    source_release = await deploy(sandbox_client, "shop-staging")

    promotion = await ok(sandbox_client.post("/pipeline-promotions", json=promotion_body(pipeline, staging, prod)), 201)
    [target] = await ok(sandbox_client.get(f"/pipeline-promotions/{promotion['id']}/promotion-targets"))
    released = await ok(sandbox_client.get(f"/apps/shop-prod/releases/{target['release']['id']}"))

    assert (promotion["status"], promotion["source"]["release"]["id"]) == ("completed", source_release["id"])
    assert (target["status"], target["error_message"], target["app"]) == ("succeeded", None, {"id": prod["id"]})
    assert released["slug"] == source_release["slug"]
    assert released["description"] == f"Promote shop-staging v{source_release['version']}"
    assert await ok(sandbox_client.get("/apps/shop-prod/config-vars")) == {"APP_ENV": "production"}


async def test_a_target_named_in_the_faults_fails_with_an_error_message(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    pipeline, staging, prod = await pipeline_of_two(sandbox_client)
    await deploy(sandbox_client, "shop-staging")
    set_faults(fail_promotion_targets=("shop-prod",))

    promotion = await ok(sandbox_client.post("/pipeline-promotions", json=promotion_body(pipeline, staging, prod)), 201)
    [target] = await ok(sandbox_client.get(f"/pipeline-promotions/{promotion['id']}/promotion-targets"))

    assert (target["status"], target["release"], target["error_message"]) == (
        "failed",
        None,
        "Release to shop-prod failed (sandbox fault).",
    )
    releases = await ok(sandbox_client.get("/apps/shop-prod/releases", headers=ALL_RELEASES))
    assert [r["version"] for r in releases] == [1, 2]


async def test_promoting_without_a_deployed_source_is_422(sandbox_client: httpx.AsyncClient) -> None:
    pipeline, staging, prod = await pipeline_of_two(sandbox_client)

    response = await sandbox_client.post("/pipeline-promotions", json=promotion_body(pipeline, staging, prod))

    assert (response.status_code, response.json()) == (
        422,
        {"id": "invalid_params", "message": "shop-staging has no release with a slug to promote; deploy it first."},
    )


async def test_promoting_to_an_app_outside_the_pipeline_is_422(sandbox_client: httpx.AsyncClient) -> None:
    pipeline, staging, _ = await pipeline_of_two(sandbox_client)
    outsider = await new_app(sandbox_client, "outsider")
    await deploy(sandbox_client, "shop-staging")

    response = await sandbox_client.post("/pipeline-promotions", json=promotion_body(pipeline, staging, outsider))

    assert (response.status_code, response.json()["message"]) == (
        422,
        "outsider is not coupled to the pipeline shop.",
    )
