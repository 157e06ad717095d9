"""Asynchronous Heroku state changes with delays, as the provider polls them (research §2)."""

from __future__ import annotations

import httpx
import pytest

from infra.clock import FakeClock
from infra.sandbox import Delays

pytestmark = pytest.mark.anyio

NEWEST = {"Range": "version ..; max=1,order=desc"}


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(release=5.0)


async def test_with_a_release_delay_a_config_release_is_pending_until_it_succeeds(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await sandbox_client.post("/apps", json={"name": "shop-staging"})
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1"})
    newest = (await sandbox_client.get("/apps/shop-staging/releases", headers=NEWEST)).json()[0]

    pending = await sandbox_client.get(f"/apps/shop-staging/releases/{newest['id']}")
    sandbox_clock.advance(5.0)
    done = await sandbox_client.get(f"/apps/shop-staging/releases/{newest['id']}")

    assert (pending.json()["status"], pending.json()["current"]) == ("pending", False)
    assert (done.json()["status"], done.json()["current"]) == ("succeeded", True)
