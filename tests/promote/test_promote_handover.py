"""What a person does with an unfinished promotion: look (--status), roll it back (--rollback), close it (--resolve)."""

from __future__ import annotations

import pytest

from infra.errors import ExitCode, ProductionNeedsAttention, PromotionDeclined
from infra.promote.journal import Phase, PromotionOutcome
from infra.promote.rollback import CAVEAT
from tests.fixtures.promote import Deployed, Rig
from tests.fixtures.sandbox import SetAppHttp

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"


async def left_promoted_and_failing(rig: Rig, set_app_http: SetAppHttp) -> Deployed:
    """A --no-rollback promotion whose post-flight failed: production runs staging's build, journal open."""
    deployed = await rig.deploy()

    def yes_and_break_production(question: str) -> bool:
        set_app_http(PRODUCTION, unhealthy=True)
        return True

    with pytest.raises(ProductionNeedsAttention):
        await rig.promote(confirm=yes_and_break_production, rollback=False)
    rig.sandbox.requests.clear()
    return deployed


async def test_status_reports_where_production_stands_and_writes_nothing(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    await left_promoted_and_failing(rig, set_app_http)
    lines: list[str] = []

    result = await rig.promote(action="status", out=lines)

    journal = rig.journal()
    assert (result.outcome, result.message) == (None, "status only: nothing was changed")
    assert lines == [
        f"Unfinished promotion {journal.id} (staging -> production, started {journal.created_at}): "
        "phase promoted, last outcome needs-attention",
        "  shopsentiment-production is on v8, which runs staging's build (v8 of shopsentiment-staging)",
    ]
    assert rig.writes() == []


async def test_rollback_of_an_unfinished_promotion_returns_production_to_its_previous_build(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    deployed = await left_promoted_and_failing(rig, set_app_http)
    set_app_http(PRODUCTION)  # healthy again, whatever build it runs

    result = await rig.promote(action="rollback")

    production = await rig.current_release(PRODUCTION)
    # Asked for and done: its own outcome (exit 8), not the failure a post-flight rollback is.
    assert (result.outcome, result.outcome.exit_code if result.outcome else None) == (
        PromotionOutcome.ROLLED_BACK_AS_ASKED,
        ExitCode.ROLLED_BACK_AS_ASKED,
    )
    assert result.message.splitlines() == ["rolled back and healthy: shopsentiment-production v9", CAVEAT]
    assert (production["version"], production["slug"]["id"]) == (9, deployed.production_slug)
    assert rig.writes() == [("POST", f"/apps/{PRODUCTION}/releases", 201)]
    assert rig.journal().outcome == PromotionOutcome.ROLLED_BACK_AS_ASKED


async def test_resolve_closes_an_unfinished_promotion_without_touching_heroku(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    await left_promoted_and_failing(rig, set_app_http)

    result = await rig.promote(action="resolve")

    journal = rig.journal()
    assert (result.outcome, journal.phase, journal.outcome) == (
        PromotionOutcome.RESOLVED,
        Phase.CLOSED,
        PromotionOutcome.RESOLVED,
    )
    assert rig.writes() == []


async def test_declining_to_resume_leaves_the_promotion_open_and_writes_nothing(
    rig: Rig,
    set_app_http: SetAppHttp,
) -> None:
    await left_promoted_and_failing(rig, set_app_http)

    with pytest.raises(PromotionDeclined):
        await rig.promote(action="rollback", confirm=lambda q: False)

    journal = rig.journal()
    assert (journal.phase, journal.outcome) == (Phase.PROMOTED, PromotionOutcome.NEEDS_ATTENTION)
    assert rig.writes() == []
