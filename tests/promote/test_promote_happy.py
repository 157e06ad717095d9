"""A promotion that goes right: diff clean, gate passes, promotion completes, slug matches, production healthy."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.promote.journal import JournalStore, Outcome
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import deploy_environments
from tests.promote.helpers import run_promotion, writes

pytestmark = pytest.mark.anyio


async def test_staging_build_reaches_production_which_verifies_healthy(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    deployed = await deploy_environments(sandbox_client, promote_project)
    sandbox_state.requests.clear()
    lines: list[str] = []

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock, out=lines)

    print("\n".join(lines))
    assert result.outcome == Outcome.SUCCEEDED
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
