"""The gate refuses, and nothing is written: differences off the allowlist, unhealthy staging, drifted production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import PromotionBlocked
from infra.promote.journal import Outcome
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import deploy_environments, edit_app, edit_yaml
from tests.fixtures.sandbox import SetAppHttp
from tests.promote.helpers import journal_of, run_promotion, writes

pytestmark = pytest.mark.anyio


async def refusal(project: Path, transport: SandboxTransport, clock: FakeClock, sandbox: Sandbox) -> str:
    """The refusal's message, after checking it wrote nothing and journaled `blocked`."""
    with pytest.raises(PromotionBlocked) as caught:
        await run_promotion(project, transport, clock)
    assert writes(sandbox) == []
    assert journal_of(project).outcome == Outcome.BLOCKED
    return str(caught.value)


async def test_a_config_key_set_in_staging_only_blocks(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    def add_catalog_entry(doc: dict[str, Any]) -> None:
        doc["apps"]["web"]["SENTIMENT_CACHE_TTL"] = {"description": "seconds a sentiment stays cached"}

    def set_ttl(app: dict[str, Any]) -> None:
        app["config"]["SENTIMENT_CACHE_TTL"] = "60"

    edit_yaml(promote_project / "catalog.yaml", add_catalog_entry)
    edit_app(promote_project, "staging", set_ttl)
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    message = await refusal(promote_project, sandbox_transport, sandbox_clock, sandbox_state)

    assert message == (
        "the pre-flight gate refused; nothing was changed:\n"
        "  web/config/SENTIMENT_CACHE_TTL: staging set, production absent; declared in Pulumi.staging.yaml only. "
        "Not allowed by promotion.yaml; if it is intended, add `- path: web/config/SENTIMENT_CACHE_TTL` "
        "with a `reason:` under `may_differ`"
    )


async def test_a_plan_difference_not_on_the_allowlist_blocks(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    def bigger_newrelic(app: dict[str, Any]) -> None:
        app["addons"][2]["plan"] = "newrelic:essentials"

    edit_app(promote_project, "production", bigger_newrelic)
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    message = await refusal(promote_project, sandbox_transport, sandbox_clock, sandbox_state)

    assert message == (
        "the pre-flight gate refused; nothing was changed:\n"
        "  web/addons/newrelic/plan: staging newrelic:wayne, production newrelic:essentials. "
        "Not allowed by promotion.yaml; if it is intended, add `- path: web/addons/newrelic/plan` "
        "with a `reason:` under `may_differ`"
    )


async def test_unhealthy_staging_blocks(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    set_app_http("shopsentiment-staging", unhealthy=True)
    sandbox_state.requests.clear()

    message = await refusal(promote_project, sandbox_transport, sandbox_clock, sandbox_state)

    lines = message.splitlines()
    assert lines[:2] == [
        "the pre-flight gate refused; nothing was changed:",
        "  staging is not healthy on its current release:",
    ]
    assert [line.split(": ", 1)[0] for line in lines[2:]] == ["    web/health"]


async def test_drift_in_production_blocks(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    await sandbox_client.patch("/apps/shopsentiment-production/config-vars", json={"WEB_CONCURRENCY": "8"})
    sandbox_state.requests.clear()

    message = await refusal(promote_project, sandbox_transport, sandbox_clock, sandbox_state)

    lines = message.splitlines()
    assert lines[:2] == [
        "the pre-flight gate refused; nothing was changed:",
        "  production has drift; reconcile it (`pulumi up`, or waive it) before promoting:",
    ]
    assert [line.split(": ", 1)[0] for line in lines[2:]] == ["    web/config/WEB_CONCURRENCY"]
