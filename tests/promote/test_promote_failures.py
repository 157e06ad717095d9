"""Promotions that fail: a failed target, one that never completes, a build that is unhealthy in production
(rolled back, healthy again), a rollback Heroku refuses, and --no-rollback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import ProductionNeedsAttention, PromotionRolledBack
from infra.promote.journal import Outcome, Phase
from infra.promote.rollback import CAVEAT
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import deploy_environments
from tests.fixtures.sandbox import SetAppHttp, SetFaults
from tests.promote.helpers import current_release, journal_of, run_promotion, steps, writes

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"


async def test_a_failed_target_fails_the_promotion_with_herokus_message_and_production_unchanged(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_faults: SetFaults,
    promote_project: Path,
) -> None:
    deployed = await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    set_faults(fail_promotion_targets=(PRODUCTION,))
    sandbox_state.requests.clear()

    with pytest.raises(ProductionNeedsAttention) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock)

    journal = journal_of(promote_project)
    assert str(caught.value) == (
        "promotion to shopsentiment-production failed: Release to shopsentiment-production failed (sandbox fault).\n"
        "  shopsentiment-production is on v7, the release it had before the promotion (unchanged)"
    )
    assert (await current_release(sandbox_client, PRODUCTION))["id"] == deployed.production_release
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
    assert (journal.phase, journal.outcome, journal.apps[0].target_status) == (Phase.CLOSED, Outcome.FAILED, "failed")


async def test_production_unhealthy_on_the_new_build_is_rolled_back_and_healthy_again(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    deployed = await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    def yes_and_break_production(question: str) -> bool:
        # Production answers 503 for the next 400 s: through post-flight's 300 s health deadline,
        # then healthy again while the rollback is checked.
        set_app_http(PRODUCTION, unhealthy_for_seconds=400)
        return True

    with pytest.raises(PromotionRolledBack) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock, confirm=yes_and_break_production)

    journal = journal_of(promote_project)
    production = await current_release(sandbox_client, PRODUCTION)
    lines = str(caught.value).splitlines()
    assert lines[0] == "post-flight failed on production:"
    assert [line.split(": ", 1)[0] for line in lines[1:-2]] == ["  web/health"]
    assert lines[-2:] == ["rolled back and healthy: shopsentiment-production v9", CAVEAT]
    assert (production["version"], production["slug"]["id"]) == (9, deployed.production_slug)
    assert writes(sandbox_state) == [
        ("POST", "/pipeline-promotions", 201),
        ("POST", f"/apps/{PRODUCTION}/releases", 201),
    ]
    assert steps(journal) == [
        ("preflight", "ok"),
        ("promote", "ok"),
        ("await-promotion", "ok"),
        ("check-release", "ok"),
        ("postflight", "failed"),
        ("rollback", "ok"),
        ("verify-rollback", "ok"),
    ]
    assert (journal.phase, journal.outcome) == (Phase.CLOSED, Outcome.ROLLED_BACK)


async def test_a_rollback_heroku_refuses_is_reported_and_leaves_the_promotion_open(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()
    confirmed = asyncio.Event()

    def yes(question: str) -> bool:
        confirmed.set()
        return True

    async def someone_adds_a_database() -> None:
        # Mid-promotion, a person attaches Postgres to production: post-flight sees drift, and
        # Heroku refuses a rollback to a release with another add-on set.
        await confirmed.wait()
        body = {"plan": "heroku-postgresql:essential-0", "name": "shop-hotfix-db", "confirm": PRODUCTION}
        assert (await sandbox_client.post(f"/apps/{PRODUCTION}/addons", json=body)).status_code == 201

    meddling = asyncio.create_task(someone_adds_a_database())
    with pytest.raises(ProductionNeedsAttention) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock, confirm=yes)
    await meddling

    journal = journal_of(promote_project)
    lines = str(caught.value).splitlines()
    assert lines[0] == "post-flight failed on production:"
    assert [line for line in lines if line.startswith(("ROLLBACK", "  shopsentiment", "Roll back"))] == [
        "ROLLBACK FAILED: shopsentiment-production: POST /apps/shopsentiment-production/releases -> 422 "
        "invalid_params: Cannot roll back to v7: the app's add-ons have changed since then, and a rollback never "
        f"changes add-ons., request id {journal.steps[-1].requests[0].request_id}",
        "  shopsentiment-production is on v9, which runs staging's build (v8 of shopsentiment-staging)",
        "Roll back by hand (heroku releases:rollback v7 -a shopsentiment-production), then close this promotion "
        "with `heroku-stack promote --resolve`.",
    ]
    assert (journal.phase, journal.outcome) == (Phase.ROLLING_BACK, Outcome.NEEDS_ATTENTION)


async def test_with_no_rollback_a_failed_post_flight_is_left_to_a_person(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    deployed = await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    def yes_and_break_production(question: str) -> bool:
        set_app_http(PRODUCTION, unhealthy=True)
        return True

    with pytest.raises(ProductionNeedsAttention) as caught:
        await run_promotion(
            promote_project, sandbox_transport, sandbox_clock, confirm=yes_and_break_production, rollback=False
        )

    journal = journal_of(promote_project)
    lines = str(caught.value).splitlines()
    assert lines[-3:] == [
        "  shopsentiment-production is on v8, which runs staging's build (v8 of shopsentiment-staging)",
        "--no-rollback: production was left as it is. Roll it back with `heroku-stack promote --rollback`, "
        "or fix forward and close this promotion with `heroku-stack promote --resolve`.",
        f"Journal: {journal.path}",
    ]
    assert (await current_release(sandbox_client, PRODUCTION))["slug"]["id"] == deployed.staging_slug
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
    assert (journal.phase, journal.outcome) == (Phase.PROMOTED, Outcome.NEEDS_ATTENTION)


async def test_an_api_outage_after_the_promotion_request_is_reported_as_needing_a_person(
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_faults: SetFaults,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    def outage_once_promoted(line: str) -> None:
        if line.startswith("  promotion "):  # printed right after POST /pipeline-promotions answered
            set_faults(error_rate=1.0)

    with pytest.raises(ProductionNeedsAttention) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock, on_line=outage_once_promoted)

    journal = journal_of(promote_project)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("lost track of the promotion during phase promoting: GET /pipeline-promotions/")
    assert lines[1:] == [
        "Production may be half-promoted. Run `heroku-stack promote --status` to see where it stands, "
        "then run it again to resume, or with --rollback.",
        f"Journal: {journal.path}",
    ]
    assert (journal.phase, journal.outcome, steps(journal)[-1]) == (
        Phase.PROMOTING,
        Outcome.NEEDS_ATTENTION,
        ("await-promotion", "failed"),
    )
