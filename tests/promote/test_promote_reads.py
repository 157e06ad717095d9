"""The pre-flight gate builds on what verification read: each collection of each app is read once.

Both stacks are verified (the gate needs them clean), and verification reads every collection
the environment diff and the app pairs need, so the gate reads nothing of its own. Counted on
the sandbox's request log, Platform API requests only.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from infra.errors import PromotionBlocked
from tests.fixtures.promote import Rig, edit_app
from tests.fixtures.sandbox import SetFaults

pytestmark = pytest.mark.anyio

COLLECTIONS = (
    "",
    "/addon-attachments",
    "/addons",
    "/buildpack-installations",
    "/config-vars",
    "/domains",
    "/features",
    "/formation",
    "/log-drains",
    "/pipeline-couplings",
    "/releases",
    "/collaborators",
)


def api_reads(rig: Rig) -> Counter[str]:
    return Counter(f"{r.method} {r.path}" for r in rig.sandbox.requests.snapshot() if r.target == "api")


def once_per_app(*apps: str) -> Counter[str]:
    return Counter(f"GET /apps/{app}{collection}" for app in apps for collection in COLLECTIONS)


async def test_the_preflight_reads_each_collection_of_each_app_once_and_the_pipeline_once_per_stack(
    rig: Rig,
) -> None:
    await rig.deploy()

    await rig.promote(dry_run=True)

    expected = once_per_app("shopsentiment-staging", "shopsentiment-production")
    expected["GET /pipelines/shopsentiment"] = 2  # each stack's verification looks its pipeline up
    # Who is promoting, and may they deploy to production (a team admin may, with no further read)?
    expected.update({"GET /account": 1, "GET /teams/shopsentiment": 1})
    assert api_reads(rig) == expected


async def test_buildpacks_a_stack_does_not_declare_are_still_compared_from_the_one_read(rig: Rig) -> None:
    def no_buildpacks(app: dict[str, Any]) -> None:
        del app["buildpacks"]

    edit_app(rig.project, "production", no_buildpacks)
    await rig.deploy()

    with pytest.raises(PromotionBlocked) as caught:
        await rig.promote(dry_run=True)

    assert str(caught.value) == (
        "the pre-flight gate refused; nothing was changed:\n"
        "  web/buildpacks: staging heroku/python, production none. Not allowed by promotion.yaml; if it is "
        "intended, add `- path: web/buildpacks` with a `reason:` under `may_differ`"
    )
    assert api_reads(rig)["GET /apps/shopsentiment-production/buildpack-installations"] == 1


async def test_an_outage_during_the_gate_blocks_naming_what_could_not_be_read(rig: Rig, set_faults: SetFaults) -> None:
    await rig.deploy()
    set_faults(error_rate=1.0)

    with pytest.raises(PromotionBlocked) as caught:
        await rig.promote()

    unavailable = "503 service_unavailable: The API is temporarily unavailable., request id {id}"
    headlines = [re.sub(r"request id \S+", "request id {id}", line) for line in str(caught.value).splitlines()]
    assert [line for line in headlines if not line.startswith("    ")] == [
        "the pre-flight gate refused; nothing was changed:",
        "  could not read whether you may deploy to production's apps (team shopsentiment): "
        f"GET /account -> {unavailable}",
        f"  web: could not read shopsentiment-staging for the gate: GET /apps/shopsentiment-staging -> {unavailable}",
        "  web: could not read shopsentiment-production for the gate: "
        f"GET /apps/shopsentiment-production -> {unavailable}",
        "  staging is not verified clean; fix it (`pulumi up`) and verify again:",
        "  production has drift; reconcile it (`pulumi up`, or waive it) before promoting:",
        f"  pipeline 'shopsentiment' could not be looked up: GET /pipelines/shopsentiment -> {unavailable}",
    ]
    assert rig.writes() == []
