"""Polling a promotion that takes time: intervals grow, the deadline is honoured, the request count stays small."""

from __future__ import annotations

import pytest

from infra.promote.journal import PromotionOutcome
from infra.sandbox import Delays
from tests.fixtures.promote import Rig

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(promotion=20.0)


async def test_a_slow_promotion_is_polled_with_growing_intervals_until_its_target_is_final(rig: Rig) -> None:
    await rig.deploy()

    result = await rig.promote()

    promotion = f"/pipeline-promotions/{rig.journal().apps[0].promotion_id}"
    polls = [r.path for r in rig.sandbox.requests.snapshot() if r.path.startswith("/pipeline-promotions/")]
    assert result.outcome == PromotionOutcome.SUCCEEDED
    assert polls == [promotion] * 6 + [f"{promotion}/promotion-targets"]  # at 0, 1, 3, 7, 15 and 25 s
    assert rig.clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0]
