"""Apps, config vars and releases as the provider and the verifier use them."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

NEWEST = {"Range": "version ..; max=1,order=desc"}


async def create_app(client: httpx.AsyncClient, name: str = "shop-staging", **fields: Any) -> dict[str, Any]:
    response = await client.post("/apps", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def releases(client: httpx.AsyncClient, app: str) -> list[dict[str, Any]]:
    response = await client.get(f"/apps/{app}/releases", headers={"Range": "version ..; order=asc"})
    body: list[dict[str, Any]] = response.json()
    return body


async def test_a_new_app_has_heroku_shaped_fields(sandbox_client: httpx.AsyncClient) -> None:
    app = await create_app(sandbox_client, region="eu", stack="heroku-22")

    assert app["name"] == "shop-staging"
    assert re.fullmatch(r"https://shop-staging-[0-9a-f]{12}\.herokuapp\.com/", app["web_url"])
    assert app["git_url"] == "https://git.heroku.com/shop-staging.git"
    assert (app["region"]["name"], app["stack"]["name"], app["build_stack"]["name"]) == ("eu", "heroku-22", "heroku-22")
    assert (app["organization"], app["team"], app["space"], app["acm"]) == (None, None, None, False)
    assert app["generation"]["name"] == "cedar"


async def test_an_app_is_found_by_id_or_name(sandbox_client: httpx.AsyncClient) -> None:
    app = await create_app(sandbox_client)

    by_id = await sandbox_client.get(f"/apps/{app['id']}")
    by_name = await sandbox_client.get("/apps/shop-staging")

    assert by_id.json() == by_name.json() == app


@pytest.mark.parametrize("name", ["Shop", "ab", "1shop", "shop-", "a" * 31])
async def test_an_invalid_app_name_is_422(sandbox_client: httpx.AsyncClient, name: str) -> None:
    response = await sandbox_client.post("/apps", json={"name": name})

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_a_taken_app_name_is_422(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)

    response = await sandbox_client.post("/apps", json={"name": "shop-staging"})

    assert (response.status_code, response.json()) == (
        422,
        {"id": "invalid_params", "message": "Name is already taken"},
    )


async def test_an_app_without_a_name_gets_a_generated_one(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/apps", json={})

    assert response.status_code == 201
    assert len(response.json()["name"].split("-")) == 3


async def test_a_new_app_has_two_succeeded_releases_the_newest_current(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)

    listed = await releases(sandbox_client, "shop-staging")

    assert [(r["version"], r["description"], r["status"], r["current"]) for r in listed] == [
        (1, "Initial release", "succeeded", False),
        (2, "Enable Logplex", "succeeded", True),
    ]


async def test_empty_app_patch_succeeds_and_renames_keep_the_web_url_suffix(sandbox_client: httpx.AsyncClient) -> None:
    app = await create_app(sandbox_client)

    empty = await sandbox_client.patch(f"/apps/{app['id']}", json={})
    renamed = await sandbox_client.patch(f"/apps/{app['id']}", json={"name": "shop-renamed"})

    assert empty.json() == app
    assert renamed.json()["web_url"] == app["web_url"].replace("shop-staging", "shop-renamed")


async def test_config_patch_merges_deletes_with_null_and_returns_the_whole_map(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await create_app(sandbox_client)
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1", "B": "2"})

    response = await sandbox_client.patch("/apps/shop-staging/config-vars", json={"B": None, "C": "3", "GONE": None})

    assert response.json() == {"A": "1", "C": "3"}
    assert (await sandbox_client.get("/apps/shop-staging/config-vars")).json() == {"A": "1", "C": "3"}


async def test_each_effective_config_change_makes_one_release_and_a_no_op_makes_none(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await create_app(sandbox_client)

    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1", "B": "2"})
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={})
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1"})
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": None, "C": "3"})

    listed = await releases(sandbox_client, "shop-staging")
    assert [(r["version"], r["description"]) for r in listed[2:]] == [
        (3, "Set A, B config vars"),
        (4, "Set C and remove A config vars"),
    ]


@pytest.mark.parametrize("body", [{"bad-key": "x"}, {"N": 1}, {"N": True}, {"N": ["x"]}, {"N": {"x": "y"}}])
async def test_config_vars_need_word_keys_and_string_or_null_values(
    sandbox_client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    await create_app(sandbox_client)

    response = await sandbox_client.patch("/apps/shop-staging/config-vars", json=body)

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_newest_release_by_version_range_is_the_latest(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1"})

    response = await sandbox_client.get("/apps/shop-staging/releases", headers=NEWEST)

    assert response.status_code == 206
    assert [r["version"] for r in response.json()] == [3]


async def test_a_release_is_found_by_version_and_keeps_its_config_snapshot(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1"})
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "2"})

    v3 = await sandbox_client.get("/apps/shop-staging/releases/3")
    snapshot = await sandbox_client.get(f"/apps/shop-staging/releases/{v3.json()['id']}/config-vars")

    assert v3.json()["description"] == "Set A config vars"
    assert snapshot.json() == {"A": "1"}


async def test_rollback_makes_a_new_release_with_the_target_config(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1"})
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "2"})
    v3 = (await sandbox_client.get("/apps/shop-staging/releases/3")).json()

    response = await sandbox_client.post("/apps/shop-staging/releases", json={"release": v3["id"]})

    assert response.status_code == 201
    assert (response.json()["version"], response.json()["description"]) == (5, "Rollback to v3")
    assert (await sandbox_client.get("/apps/shop-staging/config-vars")).json() == {"A": "1"}


async def test_rollback_to_a_release_with_another_addon_set_is_refused(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:mini"})
    v2 = (await sandbox_client.get("/apps/shop-staging/releases/2")).json()

    response = await sandbox_client.post("/apps/shop-staging/releases", json={"release": v2["id"]})

    assert (response.status_code, response.json()) == (
        422,
        {
            "id": "invalid_params",
            "message": "Cannot roll back to v2: the app's add-ons have changed since then, "
            "and a rollback never changes add-ons.",
        },
    )


async def test_rollback_to_an_unknown_release_is_404(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)

    response = await sandbox_client.post(
        "/apps/shop-staging/releases", json={"release": "00000000-0000-4000-8000-000000000000"}
    )

    assert (response.status_code, response.json()["id"]) == (404, "not_found")


async def test_deleting_an_app_returns_it_and_then_it_is_gone(sandbox_client: httpx.AsyncClient) -> None:
    app = await create_app(sandbox_client)

    deleted = await sandbox_client.delete(f"/apps/{app['id']}")
    after = await sandbox_client.get(f"/apps/{app['id']}")

    assert deleted.json()["id"] == app["id"]
    assert (after.status_code, after.json()["id"]) == (404, "not_found")


async def test_acm_enable_and_disable_flip_the_app_flag(sandbox_client: httpx.AsyncClient) -> None:
    await create_app(sandbox_client)

    enabled = await sandbox_client.post("/apps/shop-staging/acm")
    disabled = await sandbox_client.delete("/apps/shop-staging/acm")

    assert (enabled.json()["acm"], disabled.json()["acm"]) == (True, False)
