"""A promotion that did not finish (deadline, Ctrl-C, a lost session) is found by the next run, which says
where production stands and finishes it."""

from __future__ import annotations

import asyncio

import pytest

from infra.errors import ProductionNeedsAttention
from infra.promote.journal import JournalStore, Phase, PromotionOutcome
from infra.promote.session import Timing
from infra.sandbox import Delays
from tests.fixtures.promote import Rig, steps

pytestmark = pytest.mark.anyio
PROMOTION_TAKES = 1000.0  # seconds the sandbox takes to complete a promotion


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(promotion=PROMOTION_TAKES)


async def test_a_promotion_past_its_deadline_is_reported_then_resumed_to_success(rig: Rig) -> None:
    await rig.deploy()
    with pytest.raises(ProductionNeedsAttention) as caught:
        await rig.promote()
    stuck = rig.journal()
    rig.clock.advance(PROMOTION_TAKES)
    lines: list[str] = []

    result = await rig.promote(out=lines)

    finished = rig.journal()
    assert str(caught.value).splitlines() == [
        f"the promotion did not finish: still pending after 60s: {stuck.apps[0].promotion_id} "
        "(shopsentiment-production)",
        "  shopsentiment-production is on v7, the release it had before the promotion (unchanged)",
        "It may still complete on Heroku. Run `heroku-stack promote` again to resume it, "
        "or `heroku-stack promote --rollback` to roll production back.",
        f"Journal: {stuck.path}",
    ]
    assert (stuck.phase, stuck.outcome) == (Phase.PROMOTING, PromotionOutcome.NEEDS_ATTENTION)
    assert lines[:2] == [
        f"Unfinished promotion {stuck.id} (staging -> production, started {stuck.created_at}): "
        "phase promoting, last outcome needs-attention",
        "  shopsentiment-production is on v8, which runs staging's build (v8 of shopsentiment-staging)",
    ]
    assert (result.outcome, finished.id, finished.outcome) == (
        PromotionOutcome.SUCCEEDED,
        stuck.id,
        PromotionOutcome.SUCCEEDED,
    )
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]


async def test_an_interrupted_promotion_is_journaled_and_the_next_run_finishes_it(rig: Rig) -> None:
    await rig.deploy()
    store = JournalStore(rig.project / ".heroku-stack" / "promotions")
    patient = Timing(promotion_deadline=3600, release_deadline=60)
    running = asyncio.create_task(rig.promote(timing=patient))
    while not any(a.promotion_id for j in store.all() for a in j.apps):  # the session ends mid-wait
        await asyncio.sleep(0)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    interrupted = rig.journal()
    rig.clock.advance(PROMOTION_TAKES)

    result = await rig.promote()

    assert (interrupted.phase, interrupted.outcome, steps(interrupted)[-1]) == (
        Phase.PROMOTING,
        PromotionOutcome.NEEDS_ATTENTION,
        ("await-promotion", "interrupted"),
    )
    assert interrupted.message == (
        "interrupted during phase promoting; production may be half-promoted. "
        "Run `heroku-stack promote` again to see where it stands and resume, or add --rollback."
    )
    assert (result.outcome, rig.journal().outcome) == (PromotionOutcome.SUCCEEDED, PromotionOutcome.SUCCEEDED)
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]
