"""Promotions that fail: a failed target, a build that is unhealthy in production (rolled back, healthy
again), a rollback Heroku refuses, --no-rollback, and an API outage after the write. (A promotion that
never completes within its deadline is in test_promote_resume.py.)"""

from __future__ import annotations

import asyncio

import pytest

from infra.errors import ProductionNeedsAttention, PromotionRolledBack
from infra.promote.journal import Phase, PromotionOutcome
from infra.promote.rollback import CAVEAT
from tests.fixtures.promote import Rig, steps
from tests.fixtures.sandbox import SetAppHttp, SetFaults

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"


async def test_a_failed_target_fails_the_promotion_with_herokus_message_and_production_unchanged(
    rig: Rig,
    set_faults: SetFaults,
) -> None:
    deployed = await rig.deploy()
    set_faults(fail_promotion_targets=(PRODUCTION,))

    with pytest.raises(ProductionNeedsAttention) as caught:
        await rig.promote()

    journal = rig.journal()
    assert str(caught.value) == (
        "promotion to shopsentiment-production failed: Release to shopsentiment-production failed (sandbox fault).\n"
        "  shopsentiment-production is on v7, the release it had before the promotion (unchanged)"
    )
    assert (await rig.current_release(PRODUCTION))["id"] == deployed.production_release
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]
    assert (journal.phase, journal.outcome, journal.apps[0].target_status) == (
        Phase.CLOSED,
        PromotionOutcome.FAILED,
        "failed",
    )


async def test_production_unhealthy_on_the_new_build_is_rolled_back_and_healthy_again(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    deployed = await rig.deploy()
    # Staging's new build is broken in production: production answers 503 while it runs that
    # build, through post-flight's health deadline, and is healthy again on the rollback.
    set_app_http(PRODUCTION, unhealthy_releases=[deployed.staging_slug])

    with pytest.raises(PromotionRolledBack) as caught:
        await rig.promote()

    journal = rig.journal()
    production = await rig.current_release(PRODUCTION)
    lines = str(caught.value).splitlines()
    assert lines[0] == "post-flight failed on production:"
    assert [line.split(": ", 1)[0] for line in lines[1:-2]] == ["  web/health"]
    assert lines[-2:] == ["rolled back and healthy: shopsentiment-production v9", CAVEAT]
    assert (production["version"], production["slug"]["id"]) == (9, deployed.production_slug)
    assert rig.writes() == [
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
    assert (journal.phase, journal.outcome) == (Phase.CLOSED, PromotionOutcome.ROLLED_BACK)


async def test_a_rollback_heroku_refuses_is_reported_and_leaves_the_promotion_open(rig: Rig) -> None:
    await rig.deploy()
    confirmed = asyncio.Event()

    def yes(question: str) -> bool:
        confirmed.set()
        return True

    async def someone_adds_a_database() -> None:
        # Mid-promotion, a person attaches Postgres to production: post-flight sees drift, and
        # Heroku refuses a rollback to a release with another add-on set.
        await confirmed.wait()
        body = {"plan": "heroku-postgresql:essential-0", "name": "shop-hotfix-db", "confirm": PRODUCTION}
        assert (await rig.client.post(f"/apps/{PRODUCTION}/addons", json=body)).status_code == 201

    meddling = asyncio.create_task(someone_adds_a_database())
    with pytest.raises(ProductionNeedsAttention) as caught:
        await rig.promote(confirm=yes)
    await meddling

    journal = rig.journal()
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
    assert (journal.phase, journal.outcome) == (Phase.ROLLING_BACK, PromotionOutcome.NEEDS_ATTENTION)


async def test_with_no_rollback_a_failed_post_flight_is_left_to_a_person(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    deployed = await rig.deploy()

    def yes_and_break_production(question: str) -> bool:
        set_app_http(PRODUCTION, unhealthy=True)
        return True

    with pytest.raises(ProductionNeedsAttention) as caught:
        await rig.promote(confirm=yes_and_break_production, rollback=False)

    journal = rig.journal()
    lines = str(caught.value).splitlines()
    assert lines[-3:] == [
        "  shopsentiment-production is on v8, which runs staging's build (v8 of shopsentiment-staging)",
        "--no-rollback: production was left as it is. Roll it back with `heroku-stack promote --rollback`, "
        "or fix forward and close this promotion with `heroku-stack promote --resolve`.",
        f"Journal: {journal.path}",
    ]
    assert (await rig.current_release(PRODUCTION))["slug"]["id"] == deployed.staging_slug
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]
    assert (journal.phase, journal.outcome) == (Phase.PROMOTED, PromotionOutcome.NEEDS_ATTENTION)


async def test_an_api_outage_after_the_promotion_request_is_reported_as_needing_a_person(
    rig: Rig,
    set_faults: SetFaults,
) -> None:
    await rig.deploy()

    def outage_once_promoted(line: str) -> None:
        if line.startswith("  promotion "):  # printed right after POST /pipeline-promotions answered
            set_faults(error_rate=1.0)

    with pytest.raises(ProductionNeedsAttention) as caught:
        await rig.promote(on_line=outage_once_promoted)

    journal = rig.journal()
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("lost track of the promotion during phase promoting: GET /pipeline-promotions/")
    assert lines[1:] == [
        "Production may be half-promoted. Run `heroku-stack promote --status` to see where it stands, "
        "then run it again to resume, or with --rollback.",
        f"Journal: {journal.path}",
    ]
    assert (journal.phase, journal.outcome, steps(journal)[-1]) == (
        Phase.PROMOTING,
        PromotionOutcome.NEEDS_ATTENTION,
        ("await-promotion", "failed"),
    )
