"""A promotion whose answer is lost: Heroku is asked what happened, and the promotion is never sent twice.

The sandbox's `drop_after_apply` fault carries out `POST /pipeline-promotions` and then cuts the
connection; `drop_burst` with a pattern cuts it before anything happens. Either way the client
sees the same transport error, and only production's releases can tell the two apart.
"""

from __future__ import annotations

import pytest

from infra.errors import ProductionNeedsAttention
from infra.promote.journal import Phase, PromotionOutcome
from infra.sandbox import Delays
from tests.fixtures.promote import Rig
from tests.fixtures.sandbox import SetFaults

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"
PROMOTIONS = "^POST /pipeline-promotions$"
ONE_PROMOTION = [("POST", "/pipeline-promotions", 0)]  # 0: the client never got the answer


async def test_an_applied_promotion_whose_answer_is_lost_is_found_on_heroku_and_verified(
    rig: Rig, set_faults: SetFaults
) -> None:
    deployed = await rig.deploy()
    set_faults(drop_after_apply_burst=1, drop_after_apply_match=PROMOTIONS)
    lines: list[str] = []

    result = await rig.promote(out=lines)

    production = await rig.current_release(PRODUCTION)
    assert (result.outcome, production["slug"]["id"]) == (PromotionOutcome.SUCCEEDED, deployed.staging_slug)
    assert rig.writes() == ONE_PROMOTION
    assert any(line.startswith(f"  promotion of {PRODUCTION}: the answer was lost") for line in lines)
    assert f"  {PRODUCTION}: Heroku did promote it (v8 runs staging's build)" in lines
    assert rig.journal().apps[0].answer_lost is True


class TestAPromotionHerokuAppliesAfterTheDeadline:
    @pytest.fixture
    def sandbox_delays(self) -> Delays:
        return Delays(promotion=1000.0)  # the promotion completes long after the 60 s deadline

    async def test_is_left_open_never_sent_again_and_resumed_once_production_shows_it(
        self, rig: Rig, set_faults: SetFaults
    ) -> None:
        deployed = await rig.deploy()
        set_faults(drop_after_apply_burst=1, drop_after_apply_match=PROMOTIONS)
        with pytest.raises(ProductionNeedsAttention) as caught:
            await rig.promote()
        lost = rig.journal()
        status = await rig.promote(action="status")
        rig.clock.advance(1000)

        resumed = await rig.promote()

        assert str(caught.value).splitlines()[:3] == [
            f"the promotion of {PRODUCTION} got no answer and production showed no new release of staging's build "
            "within 60s.",
            f"  {PRODUCTION} is on v7, the release it had before the promotion (unchanged)",
            "Heroku may still apply it; this promotion will never be sent again. Do not promote by hand.",
        ]
        assert (lost.phase, lost.outcome, lost.apps[0].answer_lost) == (
            Phase.PROMOTING,
            PromotionOutcome.NEEDS_ATTENTION,
            True,
        )
        assert status.message == "status only: nothing was changed"
        assert (resumed.outcome, rig.journal().id) == (PromotionOutcome.SUCCEEDED, lost.id)
        assert (await rig.current_release(PRODUCTION))["slug"]["id"] == deployed.staging_slug
        assert rig.writes() == ONE_PROMOTION


async def test_a_promotion_lost_before_heroku_got_it_ends_unchanged_and_is_never_sent_twice(
    rig: Rig, set_faults: SetFaults
) -> None:
    deployed = await rig.deploy()
    set_faults(drop_burst=1, drop_match=PROMOTIONS)
    with pytest.raises(ProductionNeedsAttention):
        await rig.promote()
    rig.clock.advance(3600)

    with pytest.raises(ProductionNeedsAttention) as caught:
        await rig.promote()

    journal = rig.journal()
    assert str(caught.value).splitlines() == [
        f"promotion to {PRODUCTION} failed: the request got no answer and production never showed it",
        f"  {PRODUCTION} is on v7, the release it had before the promotion (unchanged)",
    ]
    assert (journal.phase, journal.outcome) == (Phase.CLOSED, PromotionOutcome.FAILED)
    assert (await rig.current_release(PRODUCTION))["slug"]["id"] == deployed.production_slug
    assert rig.writes() == ONE_PROMOTION
