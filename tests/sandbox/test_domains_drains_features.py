"""Domains, ACM, log drains and app features."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.sandbox.helpers import new_app, ok

pytestmark = pytest.mark.anyio


async def test_a_custom_domain_gets_a_herokudns_cname_and_is_read_by_id_or_hostname(
    sandbox_client: httpx.AsyncClient,
) -> None:
    app = await new_app(sandbox_client, "shop-staging")

    domain = await ok(
        sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "API.Example.com", "sni_endpoint": None}),
        201,
    )
    by_id = await ok(sandbox_client.get(f"/apps/shop-staging/domains/{domain['id']}"))
    by_hostname = await ok(sandbox_client.get("/apps/shop-staging/domains/api.example.com"))

    assert (domain["hostname"], domain["kind"], domain["sni_endpoint"], domain["acm_status"]) == (
        "api.example.com",
        "custom",
        None,
        None,
    )
    assert re.fullmatch(r"[a-z]+-[a-z]+-[0-9a-f]{16}\.herokudns\.com", domain["cname"])
    assert by_id == by_hostname == domain
    assert domain["app"] == {"id": app["id"], "name": "shop-staging"}


async def test_the_domain_list_includes_the_apps_own_herokuapp_hostname(sandbox_client: httpx.AsyncClient) -> None:
    app = await new_app(sandbox_client, "shop-staging")
    await sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "www.example.com", "sni_endpoint": None})

    listed = await ok(sandbox_client.get("/apps/shop-staging/domains"))
    own = next(d for d in listed if d["kind"] == "heroku")
    refused = await sandbox_client.delete(f"/apps/shop-staging/domains/{own['id']}")

    assert sorted((d["kind"], d["hostname"]) for d in listed) == [
        ("custom", "www.example.com"),
        ("heroku", app["web_url"].removeprefix("https://").rstrip("/")),
    ]
    assert (refused.status_code, refused.json()["id"]) == (422, "invalid_params")


async def test_domain_create_requires_sni_endpoint_even_if_null(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    missing = await sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "www.example.com"})
    endpoint = await sandbox_client.post(
        "/apps/shop-staging/domains", json={"hostname": "www.example.com", "sni_endpoint": "my-cert"}
    )

    assert (missing.status_code, missing.json()) == (
        422,
        {"id": "invalid_params", "message": "Invalid params: sni_endpoint: Field required."},
    )
    assert (endpoint.status_code, endpoint.json()["id"]) == (404, "not_found")


async def test_a_hostname_is_used_by_one_app_only(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await new_app(sandbox_client, "shop-prod")
    await sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "www.example.com", "sni_endpoint": None})

    response = await sandbox_client.post(
        "/apps/shop-prod/domains", json={"hostname": "www.example.com", "sni_endpoint": None}
    )

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_enabling_acm_issues_certs_for_custom_domains(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "www.example.com", "sni_endpoint": None})

    app = await ok(sandbox_client.post("/apps/shop-staging/acm"))
    domain = await ok(sandbox_client.get("/apps/shop-staging/domains/www.example.com"))

    assert (app["acm"], domain["acm_status"]) == (True, "cert issued")


async def test_deleting_a_domain_returns_it_and_it_is_gone(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    domain = await ok(
        sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "www.example.com", "sni_endpoint": None}),
        201,
    )

    deleted = await ok(sandbox_client.delete(f"/apps/shop-staging/domains/{domain['id']}"))

    assert deleted == domain
    assert (await sandbox_client.get(f"/apps/shop-staging/domains/{domain['id']}")).status_code == 404


async def test_a_drain_is_read_and_removed_by_id_url_or_token(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    url = "syslog+tls://logs.example.com:6514"
    drain = await ok(sandbox_client.post("/apps/shop-staging/log-drains", json={"url": url}), 201)

    by_id = await ok(sandbox_client.get(f"/apps/shop-staging/log-drains/{drain['id']}"))
    by_url = await ok(sandbox_client.get(f"/apps/shop-staging/log-drains/{url}"))
    by_token = await ok(sandbox_client.get(f"/apps/shop-staging/log-drains/{drain['token']}"))
    deleted = await ok(sandbox_client.delete(f"/apps/shop-staging/log-drains/{drain['token']}"))

    assert re.fullmatch(r"d\.[0-9a-f-]{36}", drain["token"])
    assert (drain["url"], drain["addon"]) == (url, None)
    assert by_id == by_url == by_token == deleted == drain
    assert await ok(sandbox_client.get("/apps/shop-staging/log-drains")) == []


@pytest.mark.parametrize("url", ["ftp://logs.example.com", "logs.example.com", "http://"])
async def test_a_drain_url_must_be_syslog_or_http(sandbox_client: httpx.AsyncClient, url: str) -> None:
    await new_app(sandbox_client, "shop-staging")

    response = await sandbox_client.post("/apps/shop-staging/log-drains", json={"url": url})

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_an_addon_owned_drain_is_listed_per_addon_and_not_removable_alone(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await new_app(sandbox_client, "shop-staging")
    addon = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": "papertrail"}), 201)

    [drain] = await ok(sandbox_client.get(f"/addons/{addon['id']}/log-drains"))
    refused = await sandbox_client.delete(f"/apps/shop-staging/log-drains/{drain['id']}")

    assert drain["url"].startswith("syslog+tls://logs.papertrailapp.com:")
    assert (refused.status_code, refused.json()["id"]) == (422, "invalid_params")


async def test_features_are_read_by_id_or_name_and_toggled(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    enabled = await ok(
        sandbox_client.patch("/apps/shop-staging/features/runtime-dyno-metadata", json={"enabled": True})
    )
    by_id = await ok(sandbox_client.get(f"/apps/shop-staging/features/{enabled['id']}"))
    listed = await ok(sandbox_client.get("/apps/shop-staging/features"))

    assert (enabled["name"], enabled["enabled"]) == ("runtime-dyno-metadata", True)
    assert by_id == enabled
    assert {f["name"]: f["enabled"] for f in listed} == {
        "preboot": False,
        "runtime-dyno-metadata": True,
        "http-session-affinity": False,
        "log-runtime-metrics": False,
        "spaces-dns-discovery": False,
    }


async def test_an_unknown_feature_is_404_and_enabled_is_required(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    unknown = await sandbox_client.patch("/apps/shop-staging/features/teleport", json={"enabled": True})
    missing = await sandbox_client.patch("/apps/shop-staging/features/preboot", json={})

    assert (unknown.status_code, unknown.json()["id"]) == (404, "not_found")
    assert (missing.status_code, missing.json()["id"]) == (422, "invalid_params")
