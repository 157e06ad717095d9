"""InventorySync: two apps per stack (API and web), paired by app key, one pipeline promotion per pair."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infra.clock import FakeClock
from infra.heroku import HerokuClient
from infra.promote.journal import Outcome
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from infra.spec.loader import load_stack
from tests.fixtures.deploy import pulumi_up
from tests.fixtures.promote import deploy_build, run_promotion, with_secrets, writes_seen
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN, SetAppHttp

pytestmark = pytest.mark.anyio
POLICY = """\
may_differ:
  - path: "*/formation/*/quantity"
    reason: production runs two dynos per app
  - path: "*/formation/*/size"
    reason: production's professional dynos
  - path: "*/addons/*/plan"
    reason: production's durable plans
  - path: "*/domains/*"
    reason: each environment has its own hostnames
  - path: "*/features/preboot"
    reason: production restarts without dropping requests
  - path: "*/config/WEB_CONCURRENCY"
    reason: production sizes its workers for its larger dynos
"""


@pytest.fixture
def inventorysync(project_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "inventorysync"
    shutil.copytree(project_dir / "examples" / "inventorysync", target)
    (target / "promotion.yaml").write_text(POLICY)
    return target


async def test_each_app_pair_gets_its_own_promotion_and_both_are_verified(
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    inventorysync: Path,
) -> None:
    async with HerokuClient(
        base_url=SANDBOX_BASE_URL, token=SANDBOX_TOKEN, transport=sandbox_transport, clock=sandbox_clock
    ) as heroku:
        for stack in ("staging", "production"):
            spec = load_stack(stack, inventorysync)
            values = {name: f"{stack}-{name.lower()}" for app in spec.apps.values() for name in app.secrets}
            await pulumi_up(heroku, with_secrets(spec, values), sandbox_clock)
            set_app_http(spec.apps["api"].name, body={"status": "healthy"})  # what the API's /health answers
        slugs = {
            app: (await deploy_build(heroku, app, "v2.0.0", sandbox_clock))["slug"]["id"]
            for app in ("inventorysync-api-staging", "inventorysync-web-staging")
        }
        sandbox_state.requests.clear()

        result = await run_promotion(inventorysync, sandbox_transport, sandbox_clock)

        running = {
            app: (await heroku.get_list(f"/apps/{app}/releases", sort="version", order="desc", limit=1))[0]["slug"][
                "id"
            ]
            for app in ("inventorysync-api-production", "inventorysync-web-production")
        }
    assert result.outcome == Outcome.SUCCEEDED
    assert writes_seen(sandbox_state) == [("POST", "/pipeline-promotions", 201)] * 2
    assert running == {
        "inventorysync-api-production": slugs["inventorysync-api-staging"],
        "inventorysync-web-production": slugs["inventorysync-web-staging"],
    }
