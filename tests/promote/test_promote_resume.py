"""A promotion that did not finish (deadline, Ctrl-C, a lost session) is found by the next run, which says
where production stands and finishes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import ProductionNeedsAttention
from infra.promote.journal import JournalStore, Outcome, Phase
from infra.promote.session import Timing
from infra.sandbox import Delays
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import deploy_environments
from tests.promote.helpers import journal_of, run_promotion, steps, writes

pytestmark = pytest.mark.anyio
PROMOTION_TAKES = 1000.0  # seconds the sandbox takes to complete a promotion


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(promotion=PROMOTION_TAKES)


async def test_a_promotion_past_its_deadline_is_reported_then_resumed_to_success(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()
    with pytest.raises(ProductionNeedsAttention) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock)
    stuck = journal_of(promote_project)
    sandbox_clock.advance(PROMOTION_TAKES)
    lines: list[str] = []

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock, out=lines)

    finished = journal_of(promote_project)
    assert str(caught.value).splitlines() == [
        f"the promotion did not finish: still pending after 60s: {stuck.apps[0].promotion_id} "
        "(shopsentiment-production)",
        "  shopsentiment-production is on v7, the release it had before the promotion (unchanged)",
        "It may still complete on Heroku. Run `heroku-stack promote` again to resume it, "
        "or `heroku-stack promote --rollback` to roll production back.",
        f"Journal: {stuck.path}",
    ]
    assert (stuck.phase, stuck.outcome) == (Phase.PROMOTING, Outcome.NEEDS_ATTENTION)
    assert lines[:2] == [
        f"Unfinished promotion {stuck.id} (staging -> production, started {stuck.created_at}): "
        "phase promoting, last outcome needs-attention",
        "  shopsentiment-production is on v8, which runs staging's build (v8 of shopsentiment-staging)",
    ]
    assert (result.outcome, finished.id, finished.outcome) == (Outcome.SUCCEEDED, stuck.id, Outcome.SUCCEEDED)
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]


async def test_an_interrupted_promotion_is_journaled_and_the_next_run_finishes_it(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()
    store = JournalStore(promote_project / ".heroku-stack" / "promotions")
    patient = Timing(promotion_deadline=3600, release_deadline=60)
    running = asyncio.create_task(run_promotion(promote_project, sandbox_transport, sandbox_clock, timing=patient))
    while not any(a.promotion_id for j in store.all() for a in j.apps):  # the session ends mid-wait
        await asyncio.sleep(0)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    interrupted = journal_of(promote_project)
    sandbox_clock.advance(PROMOTION_TAKES)

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock)

    assert (interrupted.phase, interrupted.outcome, steps(interrupted)[-1]) == (
        Phase.PROMOTING,
        Outcome.NEEDS_ATTENTION,
        ("await-promotion", "interrupted"),
    )
    assert interrupted.message == (
        "interrupted during phase promoting; production may be half-promoted. "
        "Run `heroku-stack promote` again to see where it stands and resume, or add --rollback."
    )
    assert (result.outcome, journal_of(promote_project).outcome) == (Outcome.SUCCEEDED, Outcome.SUCCEEDED)
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
