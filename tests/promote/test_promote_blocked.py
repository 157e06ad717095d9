"""The gate refuses, and nothing is written: differences off the allowlist, unhealthy staging, drifted production."""

from __future__ import annotations

from typing import Any

import pytest

from infra.errors import PromotionBlocked
from infra.promote.journal import PromotionOutcome
from tests.fixtures.promote import Rig, edit_app, edit_yaml
from tests.fixtures.sandbox import SetAppHttp

pytestmark = pytest.mark.anyio


async def refusal(rig: Rig) -> str:
    """The refusal's message, after checking it wrote nothing, journaled `blocked`, and printed each reason once."""
    printed: list[str] = []
    with pytest.raises(PromotionBlocked) as caught:
        await rig.promote(out=printed)
    assert rig.writes() == []
    assert rig.journal().outcome == PromotionOutcome.BLOCKED
    reasons = str(caught.value).splitlines()[1:]
    assert [line for line in printed if any(reason.strip() in line for reason in reasons)] == []
    assert printed[0].startswith("Pre-flight gate (staging -> production): REFUSED (")
    return str(caught.value)


async def test_a_config_key_set_in_staging_only_blocks(rig: Rig) -> None:
    def add_catalog_entry(doc: dict[str, Any]) -> None:
        doc["apps"]["web"]["SENTIMENT_CACHE_TTL"] = {"description": "seconds a sentiment stays cached"}

    def set_ttl(app: dict[str, Any]) -> None:
        app["config"]["SENTIMENT_CACHE_TTL"] = "60"

    edit_yaml(rig.project / "catalog.yaml", add_catalog_entry)
    edit_app(rig.project, "staging", set_ttl)
    await rig.deploy()

    message = await refusal(rig)

    assert message == (
        "the pre-flight gate refused; nothing was changed:\n"
        "  web/config/SENTIMENT_CACHE_TTL: staging set, production absent; declared in Pulumi.staging.yaml only. "
        "Not allowed by promotion.yaml; if it is intended, add `- path: web/config/SENTIMENT_CACHE_TTL` "
        "with a `reason:` under `may_differ`"
    )


async def test_a_plan_difference_not_on_the_allowlist_blocks(rig: Rig) -> None:
    def bigger_newrelic(app: dict[str, Any]) -> None:
        app["addons"][2]["plan"] = "newrelic:essentials"

    edit_app(rig.project, "production", bigger_newrelic)
    await rig.deploy()

    message = await refusal(rig)

    assert message == (
        "the pre-flight gate refused; nothing was changed:\n"
        "  web/addons/newrelic/plan: staging newrelic:wayne, production newrelic:essentials. "
        "Not allowed by promotion.yaml; if it is intended, add `- path: web/addons/newrelic/plan` "
        "with a `reason:` under `may_differ`"
    )


async def test_unhealthy_staging_blocks(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    await rig.deploy()
    set_app_http("shopsentiment-staging", unhealthy=True)

    message = await refusal(rig)

    lines = message.splitlines()
    assert lines[:2] == [
        "the pre-flight gate refused; nothing was changed:",
        "  staging is not healthy on its current release:",
    ]
    assert [line.split(": ", 1)[0] for line in lines[2:]] == ["    web/health"]


async def test_drift_in_production_blocks(rig: Rig) -> None:
    await rig.deploy()
    await rig.client.patch("/apps/shopsentiment-production/config-vars", json={"WEB_CONCURRENCY": "8"})
    rig.sandbox.requests.clear()

    message = await refusal(rig)

    lines = message.splitlines()
    assert lines[:2] == [
        "the pre-flight gate refused; nothing was changed:",
        "  production has drift; reconcile it (`pulumi up`, or waive it) before promoting:",
    ]
    assert [line.split(": ", 1)[0] for line in lines[2:]] == ["    web/config/WEB_CONCURRENCY"]
