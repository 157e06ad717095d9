"""A promotion is never silent while it waits: post-flight says what it waits for and how long is left."""

from __future__ import annotations

import pytest

from infra.errors import PromotionRolledBack
from tests.fixtures.promote import Rig
from tests.fixtures.sandbox import SetAppHttp

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"


async def test_post_flight_reports_what_it_waits_for_and_stops_at_the_health_deadline(
    rig: Rig, set_app_http: SetAppHttp
) -> None:
    await rig.deploy()

    def yes_and_break_production(question: str) -> bool:
        set_app_http(PRODUCTION, unhealthy_releases=[8])  # staging's build fails in production; a rollback fixes it
        return True

    progress: list[str] = []
    started = rig.clock.monotonic()
    with pytest.raises(PromotionRolledBack):
        await rig.promote(confirm=yes_and_break_production, progress=progress, health_deadline=20)
    took = rig.clock.monotonic() - started

    waiting = [line for line in progress if line.startswith("  production: waiting on 1 check: web/health (")]
    assert waiting, progress
    assert waiting[0].endswith("20s left)")
    assert any(line.endswith("s left)") and "answered 503" in line for line in waiting)
    # Post-flight (20 s) and the check after the rollback, not the stack's 300 s deadline.
    assert took < 60
