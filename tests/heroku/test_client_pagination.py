"""Lists are read to the end, page by page, however many pages Heroku cuts them into."""

from __future__ import annotations

import asyncio

import pytest

from infra.heroku import ClientStats
from infra.sandbox import SandboxTransport
from tests.heroku.helpers import sandbox_client, sandbox_log

pytestmark = pytest.mark.anyio

APP_COUNT = 2_500


async def test_a_list_of_2500_apps_is_read_whole_at_1000_and_at_200_a_page(sandbox_transport: SandboxTransport) -> None:
    names = [f"app-{i:04d}" for i in range(APP_COUNT)]
    async with sandbox_client(sandbox_transport, concurrency=16) as writer:
        await asyncio.gather(*(writer.post("/apps", json={"name": name}) for name in names))
    async with sandbox_client(sandbox_transport) as heroku:
        large_pages = await heroku.get_list("/apps")
        small_pages = await heroku.get_list("/apps", sort="name", page_size=200)
        stats = heroku.stats
    assert sorted(a["name"] for a in large_pages) == names
    assert [a["name"] for a in small_pages] == names  # sorted by name, as the Range asked
    assert stats.by_method == {"GET": 3 + 13}
    log = (await sandbox_log(sandbox_transport))[APP_COUNT:]
    assert [status for _, _, status in log] == [206, 206, 200] + [206] * 12 + [200]


async def test_newest_release_is_one_request_sorted_by_version_descending(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        for n in range(3):
            await heroku.patch("/apps/shop-staging/config-vars", json={"N": str(n)})
        before = heroku.stats.requests
        newest = await heroku.get_list("/apps/shop-staging/releases", sort="version", order="desc", limit=1)
        every = await heroku.get_list("/apps/shop-staging/releases", sort="version", page_size=2)
        reads = heroku.stats.requests - before
    versions = [r["version"] for r in every]
    assert [r["version"] for r in newest] == [max(versions)]
    assert versions == sorted(versions)
    assert len(versions) >= 4
    assert reads == 1 + (len(versions) + 1) // 2


async def test_an_empty_list_is_one_request(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport) as heroku:
        assert await heroku.get_list("/apps") == []
        assert heroku.stats == ClientStats(requests=1, by_method={"GET": 1}, rate_limit_remaining=4499)
