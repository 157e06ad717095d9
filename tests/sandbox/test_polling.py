"""Asynchronous Heroku state changes with delays, as the provider polls them (research §2)."""

from __future__ import annotations

import httpx
import pytest

from infra.clock import FakeClock
from infra.sandbox import Delays
from tests.sandbox.helpers import NEWEST, deploy, new_app, ok

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(release=5.0, addon=10.0, build=20.0, promotion=3.0, acm=60.0)


async def test_a_config_release_is_pending_until_the_release_delay_passes(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "shop-staging")
    await sandbox_client.patch("/apps/shop-staging/config-vars", json={"A": "1"})
    [newest] = await ok(sandbox_client.get("/apps/shop-staging/releases", headers=NEWEST), 206)

    pending = await ok(sandbox_client.get(f"/apps/shop-staging/releases/{newest['id']}"))
    sandbox_clock.advance(5.0)
    done = await ok(sandbox_client.get(f"/apps/shop-staging/releases/{newest['id']}"))

    assert (pending["status"], pending["current"]) == ("pending", False)
    assert (done["status"], done["current"]) == ("succeeded", True)


async def test_an_addon_provisions_after_the_delay_and_only_then_injects_its_vars(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "shop-staging")
    addon = await ok(sandbox_client.post("/apps/shop-staging/addons", json={"plan": "heroku-redis"}), 201)

    early = await ok(sandbox_client.get(f"/apps/shop-staging/addons/{addon['id']}"))
    early_vars = await ok(sandbox_client.get("/apps/shop-staging/config-vars"))
    sandbox_clock.advance(10.0)
    later = await ok(sandbox_client.get(f"/apps/shop-staging/addons/{addon['id']}"))
    later_vars = await ok(sandbox_client.get("/apps/shop-staging/config-vars"))

    assert (addon["state"], addon["config_vars"]) == ("provisioning", ["REDIS_URL"])
    assert (early["state"], early_vars) == ("provisioning", {})
    assert (later["state"], list(later_vars)) == ("provisioned", ["REDIS_URL"])


async def test_a_build_is_pending_until_the_build_delay_then_has_slug_and_release(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "shop-staging")
    build = await ok(
        sandbox_client.post("/apps/shop-staging/builds", json={"source_blob": {"url": "https://x/a.tgz"}}), 201
    )

    sandbox_clock.advance(19.0)
    early = await ok(sandbox_client.get(f"/apps/shop-staging/builds/{build['id']}"))
    sandbox_clock.advance(1.0)
    done = await ok(sandbox_client.get(f"/apps/shop-staging/builds/{build['id']}"))

    assert (build["status"], early["status"], early["slug"], early["release"]) == ("pending", "pending", None, None)
    assert done["status"] == "succeeded"
    assert done["slug"] is not None
    assert done["release"] is not None


async def test_a_promotion_is_pending_then_completed_with_targets_released(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    pipeline = await ok(sandbox_client.post("/pipelines", json={"name": "shop"}), 201)
    staging = await new_app(sandbox_client, "shop-staging")
    prod = await new_app(sandbox_client, "shop-prod")
    for app, stage in ((staging, "staging"), (prod, "production")):
        await sandbox_client.post(
            "/pipeline-couplings", json={"app": app["id"], "pipeline": pipeline["id"], "stage": stage}
        )
    await deploy(sandbox_client, "shop-staging")
    sandbox_clock.advance(5.0)
    body = {
        "pipeline": {"id": pipeline["id"]},
        "source": {"app": {"id": staging["id"]}},
        "targets": [{"app": {"id": prod["id"]}}],
    }

    promotion = await ok(sandbox_client.post("/pipeline-promotions", json=body), 201)
    early_targets = await ok(sandbox_client.get(f"/pipeline-promotions/{promotion['id']}/promotion-targets"))
    sandbox_clock.advance(3.0)
    done = await ok(sandbox_client.get(f"/pipeline-promotions/{promotion['id']}"))
    targets = await ok(sandbox_client.get(f"/pipeline-promotions/{promotion['id']}/promotion-targets"))

    assert (promotion["status"], promotion["updated_at"]) == ("pending", None)
    assert [(t["status"], t["release"]) for t in early_targets] == [("pending", None)]
    assert done["status"] == "completed"
    assert [t["status"] for t in targets] == ["succeeded"]


async def test_an_acm_certificate_is_pending_until_the_acm_delay_then_issued(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "shop-production")
    await ok(sandbox_client.post("/apps/shop-production/acm"))
    added = await ok(
        sandbox_client.post(
            "/apps/shop-production/domains", json={"hostname": "www.example.com", "sni_endpoint": None}
        ),
        201,
    )

    sandbox_clock.advance(59.0)
    early = await ok(sandbox_client.get(f"/apps/shop-production/domains/{added['id']}"))
    sandbox_clock.advance(1.0)
    later = await ok(sandbox_client.get(f"/apps/shop-production/domains/{added['id']}"))

    assert [d["acm_status"] for d in (added, early, later)] == ["pending", "pending", "cert issued"]


async def test_enabling_acm_makes_existing_domains_pending_and_disabling_clears_them(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "shop-production")
    await sandbox_client.post(
        "/apps/shop-production/domains", json={"hostname": "www.example.com", "sni_endpoint": None}
    )

    await ok(sandbox_client.post("/apps/shop-production/acm"))
    pending = await ok(sandbox_client.get("/apps/shop-production/domains/www.example.com"))
    await ok(sandbox_client.delete("/apps/shop-production/acm"))
    sandbox_clock.advance(60.0)
    disabled = await ok(sandbox_client.get("/apps/shop-production/domains/www.example.com"))

    assert (pending["acm_status"], disabled["acm_status"]) == ("pending", None)
