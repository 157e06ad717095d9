"""Touching production needs --yes or a "y" at the prompt; without either, not one write request is sent."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from infra.cli.promote_cmd import prompt_confirm
from infra.clock import FakeClock
from infra.errors import PromotionDeclined
from infra.promote.journal import Outcome
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from tests.fixtures.promote import deploy_environments
from tests.promote.helpers import journal_of, run_promotion, writes

pytestmark = pytest.mark.anyio
QUESTION = "Promote staging to production (shopsentiment-production)?"


class Terminal(io.StringIO):
    """A stdin a person types into."""

    def isatty(self) -> bool:
        return True


async def test_without_yes_a_non_interactive_stdin_refuses_before_any_write(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()
    shown = io.StringIO()
    confirm = prompt_confirm(yes=False, stdin=io.StringIO("y\n"), stdout=shown)

    with pytest.raises(PromotionDeclined) as caught:
        await run_promotion(promote_project, sandbox_transport, sandbox_clock, confirm=confirm)

    assert str(caught.value) == "declined at the prompt (or no --yes); nothing was changed"
    assert shown.getvalue() == f"{QUESTION} Refusing: stdin is not interactive and --yes was not given.\n"
    assert writes(sandbox_state) == []
    assert journal_of(promote_project).outcome == Outcome.DECLINED


async def test_no_at_the_prompt_sends_no_write_request(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()
    shown = io.StringIO()
    confirm = prompt_confirm(yes=False, stdin=Terminal("n\n"), stdout=shown)

    with pytest.raises(PromotionDeclined):
        await run_promotion(promote_project, sandbox_transport, sandbox_clock, confirm=confirm)

    assert shown.getvalue() == f"{QUESTION} [y/N] "
    assert writes(sandbox_state) == []
    assert journal_of(promote_project).outcome == Outcome.DECLINED


async def test_yes_at_the_prompt_promotes(
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    promote_project: Path,
) -> None:
    await deploy_environments(promote_project, sandbox_clock, transport=sandbox_transport)
    sandbox_state.requests.clear()
    confirm = prompt_confirm(yes=False, stdin=Terminal("y\n"), stdout=io.StringIO())

    result = await run_promotion(promote_project, sandbox_transport, sandbox_clock, confirm=confirm)

    assert result.outcome == Outcome.SUCCEEDED
    assert writes(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
