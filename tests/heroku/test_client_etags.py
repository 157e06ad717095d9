"""Conditional GETs: a repeated read of unchanged resources costs Heroku a 304, and the answer is the same."""

from __future__ import annotations

import pytest

from infra.heroku import EtagCache
from infra.sandbox import SandboxTransport
from tests.heroku.helpers import Watching, sandbox_client, sandbox_log

pytestmark = pytest.mark.anyio


async def test_a_repeated_scan_is_answered_with_304s_and_the_remembered_bodies(
    sandbox_transport: SandboxTransport,
) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        for name in ("shop-staging", "shop-production"):
            await heroku.post("/apps", json={"name": name})
            await heroku.patch(f"/apps/{name}/config-vars", json={"APP_ENV": name})
        first = [await heroku.get_list("/apps"), await heroku.get("/apps/shop-staging/config-vars")]
        second = [await heroku.get_list("/apps"), await heroku.get("/apps/shop-staging/config-vars")]
        stats = heroku.stats
    assert second == first
    assert (await sandbox_log(sandbox_transport))[-4:] == [
        ("GET", "/apps", 200),
        ("GET", "/apps/shop-staging/config-vars", 200),
        ("GET", "/apps", 304),
        ("GET", "/apps/shop-staging/config-vars", 304),
    ]
    assert stats.not_modified == 2


async def test_a_changed_resource_is_read_afresh(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await heroku.patch("/apps/shop-staging/config-vars", json={"LOG_LEVEL": "INFO"})
        before = await heroku.get("/apps/shop-staging/config-vars")
        await heroku.patch("/apps/shop-staging/config-vars", json={"LOG_LEVEL": "DEBUG"})
        after = await heroku.get("/apps/shop-staging/config-vars")
    assert (before, after) == ({"LOG_LEVEL": "INFO"}, {"LOG_LEVEL": "DEBUG"})
    assert (await sandbox_log(sandbox_transport))[-1] == ("GET", "/apps/shop-staging/config-vars", 200)


async def test_every_page_of_a_list_is_revalidated_on_its_own(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        for n in range(5):
            await heroku.post("/apps", json={"name": f"app-{n}"})
        first = await heroku.get_list("/apps", sort="name", page_size=2)
        again = await heroku.get_list("/apps", sort="name", page_size=2)
    assert again == first
    assert [a["name"] for a in again] == [f"app-{n}" for n in range(5)]
    assert [s for _, _, s in (await sandbox_log(sandbox_transport))[-6:]] == [206, 206, 200, 304, 304, 304]


async def test_the_returned_body_is_a_fresh_copy_so_callers_cannot_corrupt_the_cache(
    sandbox_transport: SandboxTransport,
) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        (await heroku.get("/apps/shop-staging"))["name"] = "mutated"
        assert (await heroku.get("/apps/shop-staging"))["name"] == "shop-staging"


async def test_two_clients_sharing_a_cache_revalidate_each_others_reads(sandbox_transport: SandboxTransport) -> None:
    shared = EtagCache()
    watching = Watching(sandbox_transport)
    async with sandbox_client(sandbox_transport) as writer:
        await writer.post("/apps", json={"name": "shop-staging"})
    async with sandbox_client(watching, read_only=True, etag_cache=shared) as first_run:
        await first_run.get("/apps/shop-staging")
    async with sandbox_client(watching, read_only=True, etag_cache=shared) as second_run:
        await second_run.get("/apps/shop-staging")
        assert second_run.stats.not_modified == 1
    assert [r.headers.get("If-None-Match") is not None for r in watching.requests] == [False, True]


async def test_writes_never_send_if_none_match(sandbox_transport: SandboxTransport) -> None:
    watching = Watching(sandbox_transport)
    async with sandbox_client(watching) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await heroku.get("/apps/shop-staging")
        await heroku.patch("/apps/shop-staging", json={})
    assert [r.headers.get("If-None-Match") for r in watching.requests] == [None, None, None]
