"""Formation, slugs, builds and releases from slugs."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.helpers import deploy, descriptions, new_app, ok

pytestmark = pytest.mark.anyio


async def test_a_process_type_is_404_until_a_release_declares_it(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    before = await sandbox_client.patch("/apps/shop-staging/formation/web", json={"quantity": 1, "size": "basic"})
    listed = await ok(sandbox_client.get("/apps/shop-staging/formation"))

    assert (before.status_code, before.json()) == (
        404,
        {"id": "not_found", "message": "Couldn't find that process type (web).", "resource": "formation"},
    )
    assert listed == []


async def test_the_first_deploy_scales_web_to_one_and_other_types_to_zero(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    await deploy(sandbox_client, "shop-staging", {"web": "gunicorn app:app", "worker": "celery worker"})
    listed = await ok(sandbox_client.get("/apps/shop-staging/formation"))

    assert sorted((f["type"], f["quantity"], f["size"], f["command"]) for f in listed) == [
        ("web", 1, "Basic", "gunicorn app:app"),
        ("worker", 0, "Basic", "celery worker"),
    ]


@pytest.mark.parametrize(
    ("body", "size"),
    [
        ({"quantity": 2, "size": "standard-2x"}, "Standard-2X"),
        ({"quantity": 2, "dyno_size": {"name": "performance-m"}}, "Performance-M"),
        ({"quantity": 1, "size": "BASIC"}, "Basic"),
    ],
)
async def test_a_size_in_any_case_comes_back_in_herokus_capitalisation(
    sandbox_client: httpx.AsyncClient, body: dict[str, object], size: str
) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging")

    updated = await ok(sandbox_client.patch("/apps/shop-staging/formation/web", json=body))
    by_id = await ok(sandbox_client.get(f"/apps/shop-staging/formation/{updated['id']}"))

    assert (updated["size"], updated["dyno_size"]["name"], updated["quantity"]) == (size, size, body["quantity"])
    assert by_id == updated


async def test_batch_update_scales_several_types_and_returns_them(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging", {"web": "a", "worker": "b"})

    updated = await ok(
        sandbox_client.patch(
            "/apps/shop-staging/formation",
            json={
                "updates": [{"type": "web", "quantity": 2, "size": "Standard-1X"}, {"type": "worker", "quantity": 1}]
            },
        )
    )

    assert [(f["type"], f["quantity"], f["size"]) for f in updated] == [
        ("web", 2, "Standard-1X"),
        ("worker", 1, "Basic"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"quantity": 2, "size": "basic"}, "Cannot update to more than 1 Basic size dynos per process type."),
        ({"quantity": -1}, "Invalid params: quantity must be at least 0 (got -1)."),
        ({"quantity": "two"}, "Invalid params: quantity: Input should be a valid integer."),
        ({"quantity": 2.5}, "Invalid params: quantity: Input should be a valid integer."),
    ],
)
async def test_invalid_scale_is_422(sandbox_client: httpx.AsyncClient, body: dict[str, object], message: str) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging")

    response = await sandbox_client.patch("/apps/shop-staging/formation/web", json=body)

    assert (response.status_code, response.json()) == (422, {"id": "invalid_params", "message": message})


async def test_an_unknown_size_is_422(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging")

    response = await sandbox_client.patch("/apps/shop-staging/formation/web", json={"size": "huge"})

    assert (response.status_code, response.json()["id"]) == (422, "invalid_params")


async def test_a_slug_gets_a_blob_url_the_sandbox_accepts_a_put_on(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    slug = await ok(sandbox_client.post("/apps/shop-staging/slugs", json={"process_types": {"web": "x"}}), 201)

    upload = await sandbox_client.put(slug["blob"]["url"], content=b"tarball bytes")
    read = await ok(sandbox_client.get(f"/apps/shop-staging/slugs/{slug['id']}"))

    assert slug["blob"]["method"] == "PUT"
    assert slug["blob"]["url"] == f"http://sandbox.localhost/__sandbox/blobs/{slug['id']}"
    assert upload.status_code == 200
    assert (read["size"], read["process_types"], read["blob"]["method"]) == (13, {"web": "x"}, "GET")


async def test_a_release_from_a_slug_carries_it_and_is_described_by_commit(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    release = await deploy(sandbox_client, "shop-staging", commit="0123456789abcdef")

    assert release["slug"]["id"] == release["artifacts"][0]["id"]
    assert (release["version"], release["description"], release["current"]) == (3, "Deploy 01234567", True)


async def test_a_release_from_an_unknown_slug_is_404(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    response = await sandbox_client.post(
        "/apps/shop-staging/releases", json={"slug": "00000000-0000-4000-8000-000000000000"}
    )

    assert (response.status_code, response.json()["id"]) == (404, "not_found")


async def test_a_build_creates_a_slug_and_a_release(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.put(
        "/apps/shop-staging/buildpack-installations", json={"updates": [{"buildpack": "heroku/python"}]}
    )

    build = await ok(
        sandbox_client.post(
            "/apps/shop-staging/builds",
            json={"source_blob": {"url": "https://example.com/v1.tar.gz", "version": "v1.0.0"}},
        ),
        201,
    )
    slug = await ok(sandbox_client.get(f"/apps/shop-staging/slugs/{build['slug']['id']}"))
    release = await ok(sandbox_client.get(f"/apps/shop-staging/releases/{build['release']['id']}"))

    assert (build["status"], build["stack"], build["buildpacks"]) == (
        "succeeded",
        "heroku-24",
        [{"name": "heroku/python", "url": "urn:buildpack:heroku/python"}],
    )
    assert slug["process_types"] == {"web": "gunicorn app:app --bind 0.0.0.0:$PORT"}
    assert (release["slug"]["id"], release["description"]) == (slug["id"], "Deploy v1.0.0")


async def test_build_process_types_and_failure_are_set_through_the_admin_api(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await ok(sandbox_client.put("/__sandbox/apps/shop-staging/builds", json={"process_types": {"api": "uvicorn"}}))
    built = await ok(
        sandbox_client.post("/apps/shop-staging/builds", json={"source_blob": {"url": "https://x/a.tgz"}}), 201
    )
    await ok(sandbox_client.put("/__sandbox/apps/shop-staging/builds", json={"outcome": "failed"}))

    failed = await ok(
        sandbox_client.post("/apps/shop-staging/builds", json={"source_blob": {"url": "https://x/b.tgz"}}), 201
    )
    output = await sandbox_client.get(failed["output_stream_url"])

    assert [f["type"] for f in await ok(sandbox_client.get("/apps/shop-staging/formation"))] == ["api"]
    assert built["status"] == "succeeded"
    assert (failed["status"], failed["slug"], failed["release"]) == ("failed", None, None)
    assert output.text == "-----> Sandbox build on heroku-24\n-----> Build failed\n"
    assert (await descriptions(sandbox_client, "shop-staging"))[-1].startswith("Deploy ")


async def test_buildpack_put_replaces_the_ordered_list(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    url = "https://github.com/acme/heroku-buildpack-pdf"
    await sandbox_client.put(
        "/apps/shop-staging/buildpack-installations",
        json={"updates": [{"buildpack": "heroku/python"}, {"buildpack": "heroku/nodejs"}]},
    )

    replaced = await ok(
        sandbox_client.put("/apps/shop-staging/buildpack-installations", json={"updates": [{"buildpack": url}]})
    )
    cleared = await ok(sandbox_client.put("/apps/shop-staging/buildpack-installations", json={"updates": []}))

    assert replaced == [{"ordinal": 0, "buildpack": {"name": url, "url": url}}]
    assert cleared == []


async def test_an_official_buildpacks_github_url_comes_back_named_by_its_registry_name(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await new_app(sandbox_client, "shop-staging")
    url = "https://github.com/heroku/heroku-buildpack-nodejs"

    installed = await ok(
        sandbox_client.put("/apps/shop-staging/buildpack-installations", json={"updates": [{"buildpack": url}]})
    )

    assert installed == [{"ordinal": 0, "buildpack": {"name": "heroku/nodejs", "url": url}}]


async def test_a_numeric_string_quantity_is_taken_as_heroku_takes_the_clis(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")
    await deploy(sandbox_client, "shop-staging")

    scaled = await ok(
        sandbox_client.patch(
            "/apps/shop-staging/formation", json={"updates": [{"type": "web", "quantity": "2", "size": "standard-1x"}]}
        )
    )

    assert [(f["type"], f["quantity"], f["size"]) for f in scaled] == [("web", 2, "Standard-1X")]
