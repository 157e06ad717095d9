"""Provider compatibility: the call sequences of terraform-provider-heroku v5.2.10, replayed over HTTP.

Each test is one resource type's create / read / update / delete (research §3), with the polls
the provider makes (release `pending` -> `succeeded`, add-on `provisioning` -> `provisioned`
then its config vars, build `pending` -> `succeeded`), asserting the fields the provider
reads are present and typed as heroku-go decodes them. Delays are on, so every poll polls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from infra.clock import FakeClock
from infra.sandbox import Delays, SandboxTransport
from tests.sandbox.provider import (
    NEWEST_RELEASE,
    Json,
    assert_reads,
    call,
    normalise_size,
    provider_client,
    wait_for,
)

pytestmark = pytest.mark.anyio

NULLABLE_STR = (str, type(None))
APP_READS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "name": str,
    "region.name": str,
    "build_stack.name": str,
    "git_url": str,
    "web_url": str,
    "acm": bool,
    "internal_routing": (bool, type(None)),
    "space": type(None),
    "organization": type(None),
    "team": type(None),
}


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(release=2.0, addon=5.0, build=3.0, promotion=1.0)


@pytest.fixture(params=["in-process", pytest.param("loopback", marks=pytest.mark.slow)])
async def provider(
    request: pytest.FixtureRequest, sandbox_transport: SandboxTransport
) -> AsyncIterator[httpx.AsyncClient]:
    """The provider's client, in-process and over a real loopback port (same sandbox, same clock)."""
    if request.param == "in-process":
        client = provider_client(sandbox_transport)
    else:
        server = request.getfixturevalue("sandbox_server")
        client = provider_client(httpx.AsyncHTTPTransport(), base_url=server.base_url)
    async with client:
        yield client


async def release_wait(client: httpx.AsyncClient, clock: FakeClock, app_id: str) -> list[str]:
    """After a config change: the newest release by version, polled until it succeeds."""
    newest = await call(client, "GET", f"/apps/{app_id}/releases", **NEWEST_RELEASE)
    assert newest, "no release found"

    async def refresh() -> str:
        release = await call(client, "GET", f"/apps/{app_id}/releases/{newest[0]['id']}")
        return str(release["status"])

    return await wait_for(clock, refresh, {"pending"}, {"succeeded"})


async def app_create(client: httpx.AsyncClient, clock: FakeClock, name: str = "shop-staging") -> Json:
    app = await call(client, "POST", "/apps", {"name": name, "region": "us", "stack": "heroku-24"})
    await call(client, "PATCH", f"/apps/{app['id']}/config-vars", {"APP_ENV": "staging", "SECRET_KEY": "s3cret"})
    await release_wait(client, clock, app["id"])
    return app


async def app_read(client: httpx.AsyncClient, app_id: str) -> tuple[Json, list[str], Json]:
    app = await call(client, "GET", f"/apps/{app_id}")
    assert_reads(app, APP_READS)
    buildpacks = await call(client, "GET", f"/apps/{app_id}/buildpack-installations")
    config_vars = await call(client, "GET", f"/apps/{app_id}/config-vars")
    return app, [b["buildpack"]["name"] for b in buildpacks], config_vars


async def deployed(client: httpx.AsyncClient, clock: FakeClock, name: str = "shop-staging") -> Json:
    """An app with a released slug declaring `web` (as `heroku_slug` + `heroku_app_release` make one)."""
    app = await app_create(client, clock, name)
    slug = await call(client, "POST", f"/apps/{app['id']}/slugs", {"process_types": {"web": "gunicorn app:app"}})
    release = await call(client, "POST", f"/apps/{app['id']}/releases", {"slug": slug["id"]})

    async def refresh() -> str:
        return str((await call(client, "GET", f"/apps/{app['id']}/releases/{release['id']}"))["status"])

    await wait_for(clock, refresh, {"pending"}, {"succeeded"})
    return app


async def test_heroku_app_create_read_update_delete(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await call(provider, "POST", "/apps", {"name": "shop-staging", "region": "us", "stack": "heroku-24"})
    await call(provider, "PATCH", f"/apps/{app['id']}/config-vars", {})
    first_wait = await release_wait(provider, sandbox_clock, app["id"])
    await call(provider, "PATCH", f"/apps/{app['id']}/config-vars", {"APP_ENV": "staging"})
    config_wait = await release_wait(provider, sandbox_clock, app["id"])
    await call(
        provider, "PUT", f"/apps/{app['id']}/buildpack-installations", {"updates": [{"buildpack": "heroku/python"}]}
    )
    await call(provider, "POST", f"/apps/{app['id']}/acm")
    created, buildpacks, config_vars = await app_read(provider, app["id"])

    await call(provider, "PATCH", f"/apps/{app['id']}", {"name": "shop-stage", "build_stack": "heroku-22"})
    await call(provider, "PATCH", f"/apps/{app['id']}/config-vars", {"APP_ENV": None, "LOG_LEVEL": "INFO"})
    update_wait = await release_wait(provider, sandbox_clock, app["id"])
    await call(provider, "DELETE", f"/apps/{app['id']}/acm")
    updated, _, updated_vars = await app_read(provider, app["id"])
    imported = await call(provider, "GET", "/apps/shop-stage")
    await call(provider, "DELETE", f"/apps/{app['id']}")
    gone = await provider.get(f"/apps/{app['id']}")

    assert first_wait == ["succeeded"]  # the newest release of a fresh app has already succeeded
    assert config_wait[0] == "pending"
    assert config_wait[-1] == "succeeded"
    assert update_wait[-1] == "succeeded"
    assert (created["acm"], buildpacks, config_vars) == (True, ["heroku/python"], {"APP_ENV": "staging"})
    assert (updated["name"], updated["build_stack"]["name"], updated["acm"], updated_vars) == (
        "shop-stage",
        "heroku-22",
        False,
        {"LOG_LEVEL": "INFO"},
    )
    assert imported["id"] == app["id"]
    assert (gone.status_code, gone.json()["id"]) == (404, "not_found")


async def test_heroku_app_config_association(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)

    await call(provider, "PATCH", f"/apps/{app['id']}/config-vars", {"NEW_RELIC_APP_NAME": "Shop (staging)"})
    await release_wait(provider, sandbox_clock, app["id"])
    read = await call(provider, "GET", f"/apps/{app['id']}/config-vars")
    await call(provider, "PATCH", f"/apps/{app['id']}/config-vars", {"NEW_RELIC_APP_NAME": None})
    delete_wait = await release_wait(provider, sandbox_clock, app["id"])

    assert read["NEW_RELIC_APP_NAME"] == "Shop (staging)"
    assert delete_wait[-1] == "succeeded"
    assert await call(provider, "GET", f"/apps/{app['id']}/config-vars") == {
        "APP_ENV": "staging",
        "SECRET_KEY": "s3cret",
    }


async def test_heroku_addon_create_polls_then_config_vars_read_update_delete(
    provider: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    app = await app_create(provider, sandbox_clock)
    name = (await call(provider, "GET", f"/apps/{app['id']}"))["name"]
    created = await call(
        provider,
        "POST",
        f"/apps/{app['id']}/addons",
        {"plan": "heroku-redis:mini", "confirm": name, "name": "shop-staging-redis"},
    )
    assert_reads(created, {"id": str, "app.id": str, "config_vars": list})

    async def state() -> str:
        return str((await call(provider, "GET", f"/apps/{app['id']}/addons/{created['id']}"))["state"])

    async def vars_present() -> str:
        config_vars = await call(provider, "GET", f"/apps/{app['id']}/config-vars")
        return "present" if all(n in config_vars for n in created["config_vars"]) else "missing"

    states = await wait_for(sandbox_clock, state, {"provisioning"}, {"provisioned"})
    presence = await wait_for(sandbox_clock, vars_present, {"missing"}, {"present"})
    read = await call(provider, "GET", f"/addons/{created['id']}")
    assert_reads(read, {"name": str, "app.id": str, "plan.name": str, "provider_id": str, "config_vars": list})
    renamed = await call(
        provider, "PATCH", f"/apps/{app['id']}/addons/{created['id']}", {"plan": "", "name": "shop-redis"}
    )
    upgraded = await call(
        provider, "PATCH", f"/apps/{app['id']}/addons/{created['id']}", {"plan": "heroku-redis:premium-0"}
    )
    await call(provider, "DELETE", f"/apps/{app['id']}/addons/{created['id']}")
    exists = await provider.get(f"/addons/{created['id']}")

    assert (states[0], states[-1], presence[-1]) == ("provisioning", "provisioned", "present")
    assert created["config_vars"] == ["REDIS_URL"]
    assert (read["plan"]["name"], read["app"]["id"]) == ("heroku-redis:mini", app["id"])
    assert (renamed["id"], renamed["name"]) == (created["id"], "shop-redis")
    assert upgraded["plan"]["name"] == "heroku-redis:premium-0"
    assert (exists.status_code, exists.json()["id"]) == (404, "not_found")


async def test_heroku_addon_attachment(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    owner = await app_create(provider, sandbox_clock)
    other = await app_create(provider, sandbox_clock, "shop-worker")
    addon = await call(
        provider, "POST", f"/apps/{owner['id']}/addons", {"plan": "heroku-postgresql", "confirm": "shop-staging"}
    )
    sandbox_clock.advance(5.0)

    created = await call(
        provider, "POST", "/addon-attachments", {"addon": addon["id"], "app": other["id"], "name": "DATABASE_FOLLOWER"}
    )
    read = await call(provider, "GET", f"/addon-attachments/{created['id']}")
    assert_reads(read, {"app.id": str, "addon.id": str, "name": str, "namespace": type(None)})
    follower_vars = await call(provider, "GET", f"/apps/{other['id']}/config-vars")
    await call(provider, "DELETE", f"/addon-attachments/{created['id']}")

    assert (read["app"]["id"], read["addon"]["id"], read["name"]) == (other["id"], addon["id"], "DATABASE_FOLLOWER")
    assert "DATABASE_FOLLOWER_URL" in follower_vars
    assert "DATABASE_FOLLOWER_URL" not in await call(provider, "GET", f"/apps/{other['id']}/config-vars")


async def test_heroku_domain(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)

    created = await call(
        provider, "POST", f"/apps/{app['id']}/domains", {"hostname": "www.example.com", "sni_endpoint": None}
    )
    acm = (await call(provider, "GET", f"/apps/{app['id']}"))["acm"]
    read = await call(provider, "GET", f"/apps/{app['id']}/domains/{created['id']}")
    assert_reads(read, {"id": str, "app.id": str, "hostname": str, "cname": str, "sni_endpoint": type(None)})
    updated = await call(provider, "PATCH", f"/apps/{app['id']}/domains/{created['id']}", {"sni_endpoint": None})
    await call(provider, "DELETE", f"/apps/{app['id']}/domains/{created['id']}")

    assert (acm, read, updated) == (False, created, created)
    assert (await provider.get(f"/apps/{app['id']}/domains/{created['id']}")).status_code == 404


async def test_heroku_formation_created_by_type_and_read_back_by_id(
    provider: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    app = await deployed(provider, sandbox_clock)

    await call(provider, "GET", f"/apps/{app['id']}")
    created = await call(provider, "PATCH", f"/apps/{app['id']}/formation/web", {"quantity": 2, "size": "standard-1x"})
    read = await call(provider, "GET", f"/apps/{app['id']}/formation/{created['id']}")
    assert_reads(read, {"app.id": str, "type": str, "quantity": int, "size": str})
    await call(provider, "GET", f"/apps/{app['id']}")
    updated = await call(provider, "PATCH", f"/apps/{app['id']}/formation/web", {"quantity": 1})

    assert (read["type"], read["quantity"], read["size"]) == ("web", 2, normalise_size("standard-1x"))
    assert (updated["id"], updated["quantity"], updated["size"]) == (created["id"], 1, "Standard-1X")


async def test_heroku_formation_with_head_providers_dyno_size(
    provider: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    app = await deployed(provider, sandbox_clock)

    created = await call(
        provider, "PATCH", f"/apps/{app['id']}/formation/web", {"quantity": 1, "dyno_size": {"name": "performance-l"}}
    )

    assert (created["size"], created["dyno_size"]["name"]) == ("Performance-L", "Performance-L")


async def test_heroku_drain(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)

    created = await call(
        provider, "POST", f"/apps/{app['id']}/log-drains", {"url": "syslog+tls://logs.example.com:6514"}
    )
    read = await call(provider, "GET", f"/apps/{app['id']}/log-drains/{created['id']}")
    assert_reads(read, {"token": str, "url": str})
    await call(provider, "DELETE", f"/apps/{app['id']}/log-drains/{created['id']}")

    assert read == created
    assert (await provider.get(f"/apps/{app['id']}/log-drains/{created['id']}")).status_code == 404


async def test_heroku_pipeline_and_coupling(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)
    account = await call(provider, "GET", "/account")

    pipeline = await call(
        provider, "POST", "/pipelines", {"name": "shopsentiment", "owner": {"id": account["id"], "type": "user"}}
    )
    read = await call(provider, "GET", f"/pipelines/{pipeline['id']}")
    assert_reads(read, {"name": str, "owner.id": str, "owner.type": str})
    renamed = await call(provider, "PATCH", f"/pipelines/{pipeline['id']}", {"name": "shop-pipeline"})
    coupling = await call(
        provider, "POST", "/pipeline-couplings", {"app": app["id"], "pipeline": pipeline["id"], "stage": "staging"}
    )
    coupling_read = await call(provider, "GET", f"/pipeline-couplings/{coupling['id']}")
    assert_reads(coupling_read, {"app.id": str, "stage": str, "pipeline.id": str})
    await call(provider, "DELETE", f"/pipeline-couplings/{coupling['id']}")
    await call(provider, "DELETE", f"/pipelines/{pipeline['id']}")

    assert read["owner"] == {"id": account["id"], "type": "user"}
    assert renamed["name"] == "shop-pipeline"
    assert (coupling_read["app"]["id"], coupling_read["stage"]) == (app["id"], "staging")
    assert (await provider.get(f"/pipelines/{pipeline['id']}")).status_code == 404


async def test_heroku_slug_and_app_release(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)

    slug = await call(
        provider,
        "POST",
        f"/apps/{app['id']}/slugs",
        {
            "process_types": {"web": "gunicorn app:app"},
            "checksum": "SHA256:" + "ab" * 32,
            "commit": "0123abcd",
            "commit_description": "v1",
            "stack": "heroku-24",
            "buildpack_provided_description": "Python",
        },
    )
    upload = await provider.put(slug["blob"]["url"], content=b"slug tarball")
    slug_read = await call(provider, "GET", f"/apps/{app['id']}/slugs/{slug['id']}")
    release = await call(provider, "POST", f"/apps/{app['id']}/releases", {"slug": slug["id"], "description": "v1"})

    async def refresh() -> str:
        return str((await call(provider, "GET", f"/apps/{app['id']}/releases/{release['id']}"))["status"])

    states = await wait_for(sandbox_clock, refresh, {"pending"}, {"succeeded"})
    read = await call(provider, "GET", f"/apps/{app['id']}/releases/{release['id']}")
    assert_reads(read, {"app.id": str, "slug.id": str, "description": str})
    imported = await call(provider, "GET", f"/apps/{app['id']}/releases", **NEWEST_RELEASE)

    assert (slug["blob"]["method"], upload.status_code, slug_read["process_types"]) == (
        "PUT",
        200,
        {"web": "gunicorn app:app"},
    )
    assert (states[0], states[-1]) == ("pending", "succeeded")
    assert (read["slug"]["id"], read["description"]) == (slug["id"], "v1")
    assert (imported[0]["id"], imported[0]["current"]) == (release["id"], True)


async def test_heroku_app_feature(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)

    created = await call(provider, "PATCH", f"/apps/{app['id']}/features/runtime-dyno-metadata", {"enabled": True})
    read = await call(provider, "GET", f"/apps/{app['id']}/features/{created['id']}")
    assert_reads(read, {"name": str, "enabled": bool})
    deleted = await call(provider, "PATCH", f"/apps/{app['id']}/features/{created['id']}", {"enabled": False})

    assert (read["name"], read["enabled"], deleted["enabled"]) == ("runtime-dyno-metadata", True, False)


async def test_heroku_build_polls_until_succeeded(provider: httpx.AsyncClient, sandbox_clock: FakeClock) -> None:
    app = await app_create(provider, sandbox_clock)

    build = await call(
        provider,
        "POST",
        f"/apps/{app['id']}/builds",
        {
            "buildpacks": [{"url": "https://github.com/heroku/heroku-buildpack-python"}],
            "source_blob": {"url": "https://example.com/v1.0.0.tar.gz", "version": "v1.0.0"},
        },
    )

    async def refresh() -> str:
        return str((await call(provider, "GET", f"/apps/{app['id']}/builds/{build['id']}"))["status"])

    states = await wait_for(sandbox_clock, refresh, {"pending"}, {"succeeded"})
    read = await call(provider, "GET", f"/apps/{app['id']}/builds/{build['id']}")
    assert_reads(
        read,
        {
            "buildpacks": list,
            "output_stream_url": str,
            "release.id": str,
            "slug.id": str,
            "source_blob.checksum": type(None),
            "source_blob.url": str,
            "source_blob.version": str,
            "stack": str,
            "status": str,
            "user.email": str,
            "user.id": str,
        },
    )

    assert (states[0], states[-1]) == ("pending", "succeeded")
    assert [b["url"] for b in read["buildpacks"]] == ["https://github.com/heroku/heroku-buildpack-python"]


async def test_pipeline_promotion_as_provider_head_and_the_promoter_read_it(
    provider: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    staging = await deployed(provider, sandbox_clock, "shop-staging")
    prod = await app_create(provider, sandbox_clock, "shop-prod")
    pipeline = await call(provider, "POST", "/pipelines", {"name": "shopsentiment"})
    for app, stage in ((staging, "staging"), (prod, "production")):
        await call(
            provider, "POST", "/pipeline-couplings", {"app": app["id"], "pipeline": pipeline["id"], "stage": stage}
        )
    source_release = (await call(provider, "GET", f"/apps/{staging['id']}/releases", **NEWEST_RELEASE))[0]

    promotion = await call(
        provider,
        "POST",
        "/pipeline-promotions",
        {
            "pipeline": {"id": pipeline["id"]},
            "source": {"app": {"id": staging["id"]}, "release": {"id": source_release["id"]}},
            "targets": [{"app": {"id": prod["id"]}}],
        },
    )

    async def refresh() -> str:
        return str((await call(provider, "GET", f"/pipeline-promotions/{promotion['id']}"))["status"])

    states = await wait_for(sandbox_clock, refresh, {"pending"}, {"completed"})
    read = await call(provider, "GET", f"/pipeline-promotions/{promotion['id']}")
    assert_reads(read, {"status": str, "created_at": str, "pipeline.id": str, "source.app.id": str})
    targets = await call(provider, "GET", f"/pipeline-promotions/{promotion['id']}/promotion-targets")
    assert_reads(targets[0], {"app.id": str, "release.id": str, "status": str})

    assert (states[0], states[-1]) == ("pending", "completed")
    assert [(t["app"]["id"], t["status"]) for t in targets] == [(prod["id"], "succeeded")]
