"""What a person does with an unfinished promotion: look (--status), roll it back (--rollback), close it (--resolve)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import ProductionNeedsAttention, PromotionDeclined, PromotionRolledBack
from infra.promote.journal import Outcome, Phase
from infra.promote.rollback import CAVEAT
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import Deployed, deploy_environments
from tests.fixtures.sandbox import SetAppHttp
from tests.promote.helpers import current_release, journal_of, run_promotion, writes

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"


async def left_promoted_and_failing(
    client: httpx.AsyncClient,
    transport: SandboxTransport,
    clock: FakeClock,
    sandbox: Sandbox,
    set_app_http: SetAppHttp,
    project: Path,
) -> Deployed:
    """A --no-rollback promotion whose post-flight failed: production runs staging's build, journal open."""
    deployed = await deploy_environments(project, clock, transport=transport)

    def yes_and_break_production(question: str) -> bool:
        set_app_http(PRODUCTION, unhealthy=True)
        return True

    with pytest.raises(ProductionNeedsAttention):
        await run_promotion(project, transport, clock, confirm=yes_and_break_production, rollback=False)
    sandbox.requests.clear()
    return deployed


async def test_status_reports_where_production_stands_and_writes_nothing(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    await left_promoted_and_failing(
        sandbox_client, sandbox_transport, sandbox_clock, sandbox_state, set_app_http, promote_project
    )
    lines: list[str] = []

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock, action="status", out=lines)

    journal = journal_of(promote_project)
    assert (result.outcome, result.message) == (None, "status only: nothing was changed")
    assert lines == [
        f"Unfinished promotion {journal.id} (staging -> production, started {journal.created_at}): "
        "phase promoted, last outcome needs-attention",
        "  shopsentiment-production is on v8, which runs staging's build (v8 of shopsentiment-staging)",
    ]
    assert writes(sandbox_state) == []


async def test_rollback_of_an_unfinished_promotion_returns_production_to_its_previous_build(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    deployed = await left_promoted_and_failing(
        sandbox_client, sandbox_transport, sandbox_clock, sandbox_state, set_app_http, promote_project
    )
    set_app_http(PRODUCTION)  # healthy again, whatever build it runs

    with pytest.raises(PromotionRolledBack) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock, action="rollback")

    production = await current_release(sandbox_client, PRODUCTION)
    assert str(caught.value).splitlines() == [
        "rollback asked for by --rollback",
        "rolled back and healthy: shopsentiment-production v9",
        CAVEAT,
    ]
    assert (production["version"], production["slug"]["id"]) == (9, deployed.production_slug)
    assert writes(sandbox_state) == [("POST", f"/apps/{PRODUCTION}/releases", 201)]
    assert journal_of(promote_project).outcome == Outcome.ROLLED_BACK


async def test_resolve_closes_an_unfinished_promotion_without_touching_heroku(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    await left_promoted_and_failing(
        sandbox_client, sandbox_transport, sandbox_clock, sandbox_state, set_app_http, promote_project
    )

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock, action="resolve")

    journal = journal_of(promote_project)
    assert (result.outcome, journal.phase, journal.outcome) == (Outcome.RESOLVED, Phase.CLOSED, Outcome.RESOLVED)
    assert writes(sandbox_state) == []


async def test_declining_to_resume_leaves_the_promotion_open_and_writes_nothing(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    set_app_http: SetAppHttp,
    promote_project: Path,
) -> None:
    await left_promoted_and_failing(
        sandbox_client, sandbox_transport, sandbox_clock, sandbox_state, set_app_http, promote_project
    )

    with pytest.raises(PromotionDeclined):
        await run_promotion(
            promote_project, sandbox_transport, sandbox_clock, action="rollback", confirm=lambda q: False
        )

    journal = journal_of(promote_project)
    assert (journal.phase, journal.outcome) == (Phase.PROMOTED, Outcome.NEEDS_ATTENTION)
    assert writes(sandbox_state) == []
