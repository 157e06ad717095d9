"""Touching production needs --yes or a "y" at the prompt; without either, not one write request is sent."""

from __future__ import annotations

import io

import pytest

from infra.cli.promote_cmd import prompt_confirm
from infra.errors import PromotionDeclined
from infra.promote.journal import PromotionOutcome
from tests.fixtures.promote import Rig

pytestmark = pytest.mark.anyio
QUESTION = "Promote staging to production (shopsentiment-production)?"


class Terminal(io.StringIO):
    """A stdin a person types into."""

    def isatty(self) -> bool:
        return True


async def test_without_yes_a_non_interactive_stdin_refuses_before_any_write(rig: Rig) -> None:
    await rig.deploy()
    shown = io.StringIO()
    confirm = prompt_confirm(yes=False, stdin=io.StringIO("y\n"), stdout=shown)

    with pytest.raises(PromotionDeclined) as caught:
        await rig.promote(confirm=confirm)

    assert str(caught.value) == "declined at the prompt (or no --yes); nothing was changed"
    assert shown.getvalue() == f"{QUESTION} Refusing: stdin is not interactive and --yes was not given.\n"
    assert rig.writes() == []
    assert rig.journal().outcome == PromotionOutcome.DECLINED


async def test_no_at_the_prompt_sends_no_write_request(rig: Rig) -> None:
    await rig.deploy()
    shown = io.StringIO()
    confirm = prompt_confirm(yes=False, stdin=Terminal("n\n"), stdout=shown)

    with pytest.raises(PromotionDeclined):
        await rig.promote(confirm=confirm)

    assert shown.getvalue() == f"{QUESTION} [y/N] "
    assert rig.writes() == []
    assert rig.journal().outcome == PromotionOutcome.DECLINED


async def test_yes_at_the_prompt_promotes(rig: Rig) -> None:
    await rig.deploy()
    confirm = prompt_confirm(yes=False, stdin=Terminal("y\n"), stdout=io.StringIO())

    result = await rig.promote(confirm=confirm)

    assert result.outcome == PromotionOutcome.SUCCEEDED
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]
