"""A promotion that goes right, a dry run, and a promotion with nothing to do: over HTTP against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import PromotionRolledBack
from infra.promote.journal import JournalStore, Outcome, Phase
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import SECRET_VALUES, deploy_environments
from tests.fixtures.sandbox import SetAppHttp
from tests.promote.helpers import current_release, journal_of, run_promotion, steps, writes

pytestmark = pytest.mark.anyio


async def test_staging_build_reaches_production_which_verifies_healthy(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    deployed = await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock)

    journal = journal_of(promote_project)
    production = await current_release(sandbox_client, "shopsentiment-production")
    assert (result.outcome, result.message) == (
        Outcome.SUCCEEDED,
        "promoted and verified: shopsentiment-production v8 runs staging's build",
    )
    assert (production["version"], production["slug"]["id"]) == (8, deployed.staging_slug)
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
    assert (journal.phase, journal.outcome) == (Phase.CLOSED, Outcome.SUCCEEDED)
    assert steps(journal) == [
        ("preflight", "ok"),
        ("promote", "ok"),
        ("await-promotion", "ok"),
        ("check-release", "ok"),
        ("postflight", "ok"),
    ]


async def test_every_request_is_journaled_under_its_step_with_herokus_request_id(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    await run_promotion(promote_project, sandbox_transport, sandbox_clock)

    journal = journal_of(promote_project)
    logged = [(r.method, r.path, r.request_id) for r in sandbox_state.requests.snapshot() if r.target == "api"]
    journaled = [(r.method, r.path, r.request_id) for s in journal.steps for r in s.requests]
    promote_step = next(s for s in journal.steps if s.name == "promote")
    assert journaled == logged
    assert [(r.method, r.path, r.status) for r in promote_step.requests] == [("POST", "/pipeline-promotions", 201)]


async def test_a_dry_run_prints_every_step_and_writes_nothing_not_even_a_journal(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    deployed = await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    staging = await current_release(sandbox_client, "shopsentiment-staging")
    production = await current_release(sandbox_client, "shopsentiment-production")
    apps = {a["name"]: a["id"] for a in (await sandbox_client.get("/apps")).json()}
    sandbox_state.requests.clear()
    lines: list[str] = []

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock, dry_run=True, out=lines)

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
    assert writes(sandbox_state) == []
    assert JournalStore(promote_project / ".heroku-stack" / "promotions").all() == []


async def test_production_already_running_stagings_build_is_up_to_date(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    await run_promotion(promote_project, sandbox_transport, sandbox_clock)
    sandbox_state.requests.clear()

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock)

    assert (result.outcome, result.message) == (
        Outcome.UP_TO_DATE,
        "production already runs staging's build; nothing to do",
    )
    assert writes(sandbox_state) == []


async def test_no_secret_value_reaches_the_output_the_journal_or_an_error(
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    lines: list[str] = []

    def yes_and_break_production(question: str) -> bool:
        set_app_http("shopsentiment-production", unhealthy_for_seconds=400)
        return True

    with pytest.raises(PromotionRolledBack) as caught:
        await run_promotion(
            promote_project, sandbox_transport, sandbox_clock, confirm=yes_and_break_production, out=lines
        )

    written = "\n".join([*lines, str(caught.value), journal_of(promote_project).path.read_text()])  # type: ignore[union-attr]
    secrets = [value for values in SECRET_VALUES.values() for value in values.values()]
    assert [s for s in secrets if s in written] == []
