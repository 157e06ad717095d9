"""A promotion that goes right, a dry run, and a promotion with nothing to do: over HTTP against the sandbox."""

from __future__ import annotations

import json

import pytest

from infra.errors import PromotionRolledBack
from infra.promote.journal import JournalStore, Phase, PromotionOutcome
from tests.fixtures.promote import SECRET_VALUES, Rig, steps
from tests.fixtures.sandbox import SetAppHttp

pytestmark = pytest.mark.anyio


async def test_staging_build_reaches_production_which_verifies_healthy(rig: Rig) -> None:
    deployed = await rig.deploy()

    result = await rig.promote()

    journal = rig.journal()
    production = await rig.current_release("shopsentiment-production")
    assert (result.outcome, result.message) == (
        PromotionOutcome.SUCCEEDED,
        "promoted and verified: shopsentiment-production v8 runs staging's build",
    )
    assert (production["version"], production["slug"]["id"]) == (8, deployed.staging_slug)
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]
    assert (journal.phase, journal.outcome) == (Phase.CLOSED, PromotionOutcome.SUCCEEDED)
    assert steps(journal) == [
        ("preflight", "ok"),
        ("promote", "ok"),
        ("await-promotion", "ok"),
        ("check-release", "ok"),
        ("postflight", "ok"),
    ]


async def test_every_request_is_journaled_under_its_step_with_herokus_request_id(rig: Rig) -> None:
    await rig.deploy()

    await rig.promote()

    journal = rig.journal()
    logged = [(r.method, r.path, r.request_id) for r in rig.sandbox.requests.snapshot() if r.target == "api"]
    journaled = [(r.method, r.path, r.request_id) for s in journal.steps for r in s.requests]
    promote_step = next(s for s in journal.steps if s.name == "promote")
    assert journaled == logged
    # Production is read again right before the POST: another machine may have promoted since the gate.
    assert [(r.method, r.path, r.status) for r in promote_step.requests] == [
        ("GET", "/apps/shopsentiment-production/releases", 200),
        ("POST", "/pipeline-promotions", 201),
    ]


async def test_a_dry_run_prints_every_step_and_writes_nothing_not_even_a_journal(rig: Rig) -> None:
    deployed = await rig.deploy()
    staging = await rig.current_release("shopsentiment-staging")
    production = await rig.current_release("shopsentiment-production")
    apps = {a["name"]: a["id"] for a in (await rig.client.get("/apps")).json()}
    rig.sandbox.requests.clear()
    lines: list[str] = []

    result = await rig.promote(dry_run=True, out=lines)

    body = {
        "pipeline": {"id": deployed.pipeline_id},
        "source": {"app": {"id": apps["shopsentiment-staging"]}, "release": {"id": staging["id"]}},
        "targets": [{"app": {"id": apps["shopsentiment-production"]}}],
    }
    assert (result.outcome, result.message) == (None, "dry run: nothing was written (no write request, no journal)")
    assert lines[lines.index("Steps:") :] == [
        "Steps:",
        f"  1. POST /pipeline-promotions: shopsentiment-staging v8 (slug {deployed.staging_slug}) -> "
        "shopsentiment-production (now v7)",
        f"     body {json.dumps(body, sort_keys=True)}",
        "  2. GET /pipeline-promotions/{id} until completed, then GET /pipeline-promotions/{id}/promotion-targets "
        "until every target is final (deadline 60s); any failed target fails the promotion",
        "  3. GET /apps/{app}/releases/{new release} until it leaves pending (deadline 60s); "
        "it must succeed and run staging's slug",
        "  4. post-flight: verify the production stack, health on the new release",
        "  5. only if post-flight fails: POST /apps/shopsentiment-production/releases "
        f'{{"release": "{production["id"]}"}} (roll back to v7), then health again',
    ]
    assert rig.writes() == []
    assert JournalStore(rig.project / ".heroku-stack" / "promotions").all() == []


async def test_production_already_running_stagings_build_is_up_to_date(rig: Rig) -> None:
    await rig.deploy()
    await rig.promote()
    rig.sandbox.requests.clear()

    result = await rig.promote()

    assert (result.outcome, result.message) == (
        PromotionOutcome.UP_TO_DATE,
        "production already runs staging's build; nothing to do",
    )
    assert rig.writes() == []


async def test_no_secret_value_reaches_the_output_the_journal_or_an_error(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    deployed = await rig.deploy()
    lines: list[str] = []
    set_app_http("shopsentiment-production", unhealthy_releases=[deployed.staging_slug])  # the new build is broken

    with pytest.raises(PromotionRolledBack) as caught:
        await rig.promote(out=lines)

    written = "\n".join([*lines, str(caught.value), rig.journal().path.read_text()])  # type: ignore[union-attr]
    secrets = [value for values in SECRET_VALUES.values() for value in values.values()]
    assert [s for s in secrets if s in written] == []
