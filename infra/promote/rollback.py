"""Rolling production back to the release it ran before the promotion, then checking its health.

A rollback is `POST /apps/{app}/releases {"release": <previous release id>}`: Heroku makes
a new release with that release's slug and config vars. It does not touch add-ons, and
config vars set since the previous release are replaced by that release's; both are said
in every report (`CAVEAT`), because afterwards the stack and Heroku differ until the next
`pulumi up` (research/verification-anchors.md §4, "Rollback is drift").
"""

from __future__ import annotations

from infra.errors import HerokuError
from infra.promote.journal import AppPromotion, Phase, ReleaseRef
from infra.promote.promotion import AppState, await_release
from infra.promote.session import Session

CAVEAT = (
    "A rollback restores the previous release's build and config vars only: add-ons added, removed or "
    "re-planned since are NOT rolled back, and config vars set since are replaced by that release's. "
    "Run `heroku-stack verify` and `pulumi up` for the production stack to reconcile."
)


class RollbackFailed(Exception):
    """Heroku refused or failed the rollback; production is where `states` say."""


async def roll_back(session: Session, apps: list[AppPromotion]) -> list[str]:
    """Roll each moved production app back to its previous release; problems if a rollback release failed.

    Journals the intent before each POST and the new release after it, so an interrupted
    rollback is resumed rather than repeated. Raises `RollbackFailed` when Heroku refuses.
    """
    journal = session.journal
    journal.phase = Phase.ROLLING_BACK
    session.save()
    problems: list[str] = []
    async with session.step("rollback") as step:
        writes = None
        for app in apps:
            if app.rollback_release is None:
                writes = writes or session.open_writes()
                app.rollback_requested = True
                session.save()
                try:
                    created = await writes.rollback(app.target_app, app.previous_release.id)
                except HerokuError as err:
                    step.result, step.detail = "failed", f"{app.target_app}: {err}"
                    raise RollbackFailed(step.detail) from err
                app.rollback_release = ReleaseRef.of(created)
                session.save()
                session.out(
                    f"  {app.target_app}: rollback release v{created.version} "
                    f"(to v{app.previous_release.version}'s build)"
                )
            release = await await_release(session, app.target_app, app.rollback_release.id)
            app.rollback_release = ReleaseRef.of(release)
            session.save()
            if release.status != "succeeded":
                problems.append(f"{app.target_app}: rollback release v{release.version} is {release.status}")
        step.detail = "; ".join(problems) or ", ".join(
            f"{a.target_app} v{a.rollback_release.version}" for a in apps if a.rollback_release
        )
        step.result = "failed" if problems else "ok"
    return problems


def needing_rollback(states: list[AppState]) -> list[AppPromotion]:
    """The production apps that moved away from their previous release and are not rolled back yet."""
    return [
        s.app
        for s in states
        if s.moved
        and not (s.app.rollback_release is not None and s.current and s.current.id == s.app.rollback_release.id)
    ]
