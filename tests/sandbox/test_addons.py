"""Add-ons and attachments: provisioning, injected config vars, releases, plan changes, teardown."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.sandbox.helpers import descriptions, new_app, ok

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("plan", "var", "value_pattern"),
    [
        ("heroku-postgresql:essential-0", "DATABASE_URL", r"postgres://\S+:\S+@\S+:5432/\S+"),
        ("heroku-redis:mini", "REDIS_URL", r"rediss://:\S+@\S+:6379"),
        ("mongolab:sandbox", "MONGODB_URI", r"mongodb://\S+:\S+@\S+:27017/\S+"),
        ("papertrail:choklad", "PAPERTRAIL_API_TOKEN", r"[0-9a-f]{32}"),
        ("newrelic:wayne", "NEW_RELIC_LICENSE_KEY", r"[0-9a-f]{40}"),
        ("sentry:f1", "SENTRY_DSN", r"https://[0-9a-f]{32}@o\w+\.ingest\.sentry\.io/\d+"),
    ],
)
async def test_each_service_injects_its_config_var_once_provisioned(
    sandbox_client: httpx.AsyncClient, plan: str, var: str, value_pattern: str
) -> None:
    await new_app(sandbox_client, "shop-staging")

    addon = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": plan}), 201)
    config_vars = await ok(sandbox_client.get("/apps/shop-staging/config-vars"))

    assert (addon["state"], addon["config_vars"], addon["plan"]["name"]) == ("provisioned", [var], plan)
    assert list(config_vars) == [var]
    assert re.fullmatch(value_pattern, config_vars[var])


async def test_attaching_an_addon_makes_an_attach_release(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:mini", "name": "shop-redis"})

    assert await descriptions(sandbox_client, "shop-staging") == [
        "Initial release",
        "Enable Logplex",
        "Attach REDIS (@ref:shop-redis)",
    ]
    newest = await ok(sandbox_client.get("/apps/shop-staging/releases/3"))
    assert newest["addon_plan_names"] == ["heroku-redis:mini"]


async def test_an_addon_is_read_globally_by_id_or_name_and_within_its_app(sandbox_client: httpx.AsyncClient) -> None:
    app = await new_app(sandbox_client, "shop-staging")
    addon = await ok(sandbox_client.post(f"/apps/{app['id']}/addons", json={"plan": "heroku-redis", "name": "r1"}), 201)

    by_id = await ok(sandbox_client.get(f"/addons/{addon['id']}"))
    by_name = await ok(sandbox_client.get("/addons/r1"))
    in_app = await ok(sandbox_client.get(f"/apps/{app['id']}/addons/{addon['id']}"))

    assert by_id == by_name == in_app == addon
    assert addon["plan"]["name"] == "heroku-redis:mini"  # a bare service takes its first plan


async def test_an_addon_of_another_app_is_not_found_within_this_app(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await new_app(sandbox_client, "shop-prod")
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:mini", "name": "r1"})

    response = await sandbox_client.get("/apps/shop-prod/addons/r1")

    assert (response.status_code, response.json()["id"]) == (404, "not_found")


async def test_an_unknown_plan_is_404_not_found(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    response = await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:gigantic"})

    assert (response.status_code, response.json()["id"]) == (404, "not_found")


async def test_a_mismatched_confirm_is_422(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    response = await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis", "confirm": "other"})

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_patch_with_an_empty_plan_only_renames(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:mini", "name": "r1"})

    renamed = await ok(sandbox_client.patch("/apps/shop-staging/addons/r1", json={"plan": "", "name": "r2"}))

    assert (renamed["name"], renamed["plan"]["name"]) == ("r2", "heroku-redis:mini")
    assert (await sandbox_client.get("/addons/r1")).status_code == 404


async def test_a_name_alone_renames_as_heroku_addons_rename_sends_it_but_an_empty_patch_is_422(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:mini", "name": "r1"})

    renamed = await ok(sandbox_client.patch("/apps/shop-staging/addons/r1", json={"name": "r2"}))
    empty = await sandbox_client.patch("/apps/shop-staging/addons/r2", json={})

    assert (renamed["name"], renamed["plan"]["name"]) == ("r2", "heroku-redis:mini")
    assert (empty.status_code, empty.json()["message"]) == (422, "Invalid params: plan: Field required.")


async def test_the_marketplace_lists_the_services_the_sandbox_provisions_with_their_plans(
    sandbox_client: httpx.AsyncClient,
) -> None:
    services = await ok(sandbox_client.get("/addon-services"))
    redis = await ok(sandbox_client.get("/addon-services/heroku-redis"))
    plans = await ok(sandbox_client.get("/addon-services/heroku-redis/plans"))
    by_id = await ok(sandbox_client.get(f"/plans/{plans[1]['id']}"))
    unknown = await sandbox_client.get("/addon-services/heroku-kafka")
    bare = await sandbox_client.get("/plans/heroku-redis")

    assert sorted(s["name"] for s in services) == [
        "heroku-postgresql",
        "heroku-redis",
        "mongolab",
        "newrelic",
        "papertrail",
        "sentry",
    ]
    assert (redis["human_name"], redis["state"]) == ("Heroku Key-Value Store", "ga")
    assert [(p["name"], p["default"], p["price"]["cents"]) for p in plans] == [
        ("heroku-redis:mini", True, 0),
        ("heroku-redis:premium-0", False, 0),
        ("heroku-redis:premium-1", False, 0),
    ]
    assert by_id == plans[1]
    assert (unknown.status_code, unknown.json()["resource"]) == (404, "add-on-service")
    assert bare.status_code == 404


async def test_a_plan_change_makes_a_release_and_another_service_is_refused(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis:mini", "name": "r1"})

    upgraded = await ok(sandbox_client.patch("/apps/shop-staging/addons/r1", json={"plan": "heroku-redis:premium-0"}))
    refused = await sandbox_client.patch("/apps/shop-staging/addons/r1", json={"plan": "heroku-postgresql"})

    assert upgraded["plan"]["name"] == "heroku-redis:premium-0"
    assert (await descriptions(sandbox_client, "shop-staging"))[-1] == (
        "Update REDIS (@ref:r1) to heroku-redis:premium-0"
    )
    assert (refused.status_code, refused.json()["id"]) == (422, "invalid_params")


async def test_a_second_postgres_gets_a_colour_alias(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-postgresql"})

    second = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-postgresql"}), 201)

    assert second["config_vars"] == ["HEROKU_POSTGRESQL_AMBER_URL"]
    assert sorted(await ok(sandbox_client.get("/apps/shop-staging/config-vars"))) == [
        "DATABASE_URL",
        "HEROKU_POSTGRESQL_AMBER_URL",
    ]


async def test_an_attachment_name_at_create_sets_the_config_var_prefix(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    addon = await ok(
        sandbox_client.post(
            "/apps/shop-staging/addons", json={"plan": "heroku-postgresql", "attachment": {"name": "DATABASE_FOLLOWER"}}
        ),
        201,
    )

    assert addon["config_vars"] == ["DATABASE_FOLLOWER_URL"]


async def test_attaching_to_another_app_with_a_name_sets_that_prefix_there(sandbox_client: httpx.AsyncClient) -> None:
    owner = await new_app(sandbox_client, "shop-staging")
    other = await new_app(sandbox_client, "shop-worker")
    addon = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis"}), 201)

    attachment = await ok(
        sandbox_client.post("/addon-attachments", json={"addon": addon["id"], "app": other["id"], "name": "CACHE"}),
        201,
    )
    by_id = await ok(sandbox_client.get(f"/addon-attachments/{attachment['id']}"))
    of_addon = await ok(sandbox_client.get(f"/addons/{addon['id']}/addon-attachments"))
    of_app = await ok(sandbox_client.get("/apps/shop-worker/addon-attachments"))
    by_name = await ok(sandbox_client.get("/apps/shop-worker/addon-attachments/CACHE"))

    assert list(await ok(sandbox_client.get("/apps/shop-worker/config-vars"))) == ["CACHE_URL"]
    assert by_id == by_name == attachment
    assert (attachment["app"], attachment["addon"]["app"]) == (
        {"id": other["id"], "name": "shop-worker"},
        {"id": owner["id"], "name": "shop-staging"},
    )
    assert sorted(a["name"] for a in of_addon) == ["CACHE", "REDIS"]
    assert [a["name"] for a in of_app] == ["CACHE"]
    assert (await descriptions(sandbox_client, "shop-worker"))[-1] == f"Attach CACHE (@ref:{addon['name']})"


async def test_detaching_removes_the_vars_from_that_app_with_a_release(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    other = await new_app(sandbox_client, "shop-worker")
    addon = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis"}), 201)
    attachment = await ok(
        sandbox_client.post("/addon-attachments", json={"addon": addon["id"], "app": other["id"], "name": "CACHE"}),
        201,
    )

    await ok(sandbox_client.delete(f"/addon-attachments/{attachment['id']}"))

    assert await ok(sandbox_client.get("/apps/shop-worker/config-vars")) == {}
    assert (await descriptions(sandbox_client, "shop-worker"))[-1] == f"Detach CACHE (@ref:{addon['name']})"
    assert (await sandbox_client.get(f"/addon-attachments/{attachment['id']}")).status_code == 404


async def test_deleting_an_addon_deprovisions_it_and_takes_its_vars_and_drain(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await new_app(sandbox_client, "shop-staging")
    addon = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": "papertrail:choklad"}), 201)
    drains_before = await ok(sandbox_client.get("/apps/shop-staging/log-drains"))

    deleted = await ok(sandbox_client.delete(f"/apps/shop-staging/addons/{addon['id']}"))

    assert deleted["state"] == "deprovisioned"
    assert [d["addon"]["id"] for d in drains_before] == [addon["id"]]
    assert await ok(sandbox_client.get("/apps/shop-staging/log-drains")) == []
    assert await ok(sandbox_client.get("/apps/shop-staging/config-vars")) == {}
    assert (await sandbox_client.get(f"/addons/{addon['id']}")).json()["id"] == "not_found"


async def test_addon_names_are_global_and_unique(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await new_app(sandbox_client, "shop-prod")
    await sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis", "name": "cache"})

    response = await sandbox_client.post("/apps/shop-prod/addons", json={"plan": "heroku-redis", "name": "cache"})

    assert (response.status_code, response.json()) == (
        422,
        {"id": "invalid_params", "message": "Name is already taken"},
    )
