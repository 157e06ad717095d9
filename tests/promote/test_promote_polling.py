"""Polling a promotion that takes time: intervals grow, the deadline is honoured, the request count stays small."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.promote.journal import Outcome
from infra.sandbox import Delays
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import deploy_environments
from tests.promote.helpers import journal_of, run_promotion

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(promotion=20.0)


async def test_a_slow_promotion_is_polled_with_growing_intervals_until_its_target_is_final(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock)

    promotion = f"/pipeline-promotions/{journal_of(promote_project).apps[0].promotion_id}"
    polls = [r.path for r in sandbox_state.requests.snapshot() if r.path.startswith("/pipeline-promotions/")]
    assert result.outcome == Outcome.SUCCEEDED
    assert polls == [promotion] * 6 + [f"{promotion}/promotion-targets"]  # at 0, 1, 3, 7, 15 and 25 s
    assert sandbox_clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0]
