"""Promoting: start one pipeline promotion per app pair, wait until every target is final, check the release.

Heroku's CLI prints only a warning when some targets fail and its exit status stays 0
(research/verification-anchors.md §1a, heroku/cli `pipelines/promote.ts`). Here any target
that is not `succeeded` fails the promotion, with Heroku's `error_message`; a promotion
that does not finish within `Timing.promotion_deadline` fails too; and a succeeded
target's release must carry exactly the slug staging ran, and must itself succeed.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.clock import PollTimedOut, poll_until
from infra.errors import ServerError, TransportError
from infra.promote.heroku_calls import PromotionWrites, promotion_body
from infra.promote.journal import AppPromotion, Phase, ReleaseRef
from infra.promote.session import Session
from infra.verify.live import LiveRelease

FINAL_TARGET = frozenset({"succeeded", "failed"})


class PromotionDidNotFinish(Exception):
    """The deadline passed with targets still pending; production's state is unknown until looked at."""


@dataclass(frozen=True)
class AppState:
    """Where one production app stands now, compared with where the journal says it was and should be."""

    app: AppPromotion
    current: LiveRelease | None

    @property
    def moved(self) -> bool:
        return self.current is not None and self.current.id != self.app.previous_release.id

    @property
    def runs_source_slug(self) -> bool:
        return self.current is not None and self.current.slug_id == self.app.source_release.slug_id

    def describe(self) -> str:
        a, cur = self.app, self.current
        if cur is None:
            return f"{a.target_app}: has no current release"
        where = f"{a.target_app} is on v{cur.version}"
        if not self.moved:
            return f"{where}, the release it had before the promotion (unchanged)"
        if a.rollback_release is not None and cur.id == a.rollback_release.id:
            return f"{where}, the rollback to v{a.previous_release.version}'s build"
        if self.runs_source_slug:
            return f"{where}, which runs staging's build (v{a.source_release.version} of {a.source_app})"
        return f"{where}, which runs neither its previous build nor staging's"


class ProductionMoved(Exception):
    """Production's current release is not the one the gate saw: another promotion or deploy got there first."""


class AnswerLost(Exception):
    """A promotion was sent, its answer lost, and production did not show it by the deadline."""


async def start(session: Session, writes: PromotionWrites, apps: list[AppPromotion]) -> None:
    """POST one pipeline promotion per app pair, journaling the intent before and the id after each.

    Before each POST, production's current release must still be the one the gate saw (two
    machines can race past their own locks). A POST whose answer is lost is never sent again:
    Heroku is asked whether it happened (`find_promoted_release`) before anything else.
    """
    journal = session.journal
    assert journal.pipeline_id is not None
    async with session.step("promote") as step:
        for app in apps:
            if app.promotion_id is not None or app.answer_lost:
                continue
            current = await session.reads.current_release(app.target_app)
            if current is None or current.id != app.previous_release.id:
                now = f"v{current.version}" if current else "no release"
                raise ProductionMoved(
                    f"{app.target_app} is on {now}, not v{app.previous_release.version} as the gate saw: another "
                    "promotion or deploy ran since, so no promotion was sent for it"
                )
            journal.phase = Phase.PROMOTING
            session.save()
            body = promotion_body(
                pipeline_id=journal.pipeline_id,
                source_app_id=app.source_app_id,
                source_release_id=app.source_release.id,
                target_app_id=app.target_app_id,
            )
            try:
                app.promotion_id = await writes.create_promotion(body)
            except (TransportError, ServerError) as err:
                app.answer_lost = True
                session.save()
                session.out(
                    f"  promotion of {app.target_app}: the answer was lost ({err}); asking Heroku what happened"
                )
                await _settle_lost_answer(session, app)
                continue
            app.target_status = "pending"
            session.save()
            session.out(
                f"  promotion {app.promotion_id}: {app.source_app} v{app.source_release.version} -> {app.target_app}"
            )
        step.detail = ", ".join(f"{a.key}: {a.promotion_id or 'answer lost'}" for a in apps)


async def _settle_lost_answer(session: Session, app: AppPromotion) -> None:
    found = await find_promoted_release(session, app)
    if found is None:
        raise AnswerLost(
            f"the promotion of {app.target_app} got no answer and production showed no new release of staging's "
            f"build within {session.timing.promotion_deadline:.0f}s"
        )
    app.target_status, app.promoted_release = "succeeded", found
    session.save()
    session.out(f"  {app.target_app}: Heroku did promote it (v{found.version} runs staging's build)")


async def find_promoted_release(session: Session, app: AppPromotion) -> ReleaseRef | None:
    """Production's release of staging's build newer than the one the gate saw, waited for until the deadline.

    A pipeline promotion shows as a release carrying the source slug; nothing else lists promotions.
    """

    def promoted(releases: list[LiveRelease]) -> LiveRelease | None:
        return next(
            (
                r
                for r in releases
                if r.version > app.previous_release.version
                and r.slug_id == app.source_release.slug_id
                and r.status != "failed"
            ),
            None,
        )

    try:
        releases = await poll_until(
            lambda: session.reads.newest_releases(app.target_app),
            lambda releases: promoted(releases) is not None,
            clock=session.clock,
            waiter=session.timing.waiter(session.timing.promotion_deadline),
        )
    except PollTimedOut:
        return None
    found = promoted(releases)
    return None if found is None else ReleaseRef.of(found)


async def await_targets(session: Session, apps: list[AppPromotion]) -> list[AppPromotion]:
    """Poll each promotion, then its targets, until every target is final; the apps whose target failed.

    Raises `PromotionDidNotFinish` at the deadline. Safe to call again on resume: apps whose
    target is already final are not polled.
    """
    timing = session.timing

    async def still_pending() -> list[AppPromotion]:
        """Read each unfinished promotion's targets into the journal; the apps still waiting."""
        for app in apps:
            if app.target_status in FINAL_TARGET or app.promotion_id is None:
                continue
            if await session.reads.promotion_status(app.promotion_id) != "completed":
                continue
            for target in await session.reads.promotion_targets(app.promotion_id):
                if target.app_id == app.target_app_id:
                    app.target_status, app.error_message = target.status, target.error_message
                    if target.release_id:
                        app.promoted_release = ReleaseRef(id=target.release_id, version=0, slug_id=None)
        session.save()
        return [a for a in apps if a.target_status not in FINAL_TARGET]

    async with session.step("await-promotion") as step:
        try:
            await poll_until(
                still_pending,
                lambda waiting: not waiting,
                clock=session.clock,
                waiter=timing.waiter(timing.promotion_deadline),
            )
        except PollTimedOut as timed_out:
            names = ", ".join(f"{a.promotion_id} ({a.target_app})" for a in timed_out.last)
            step.result, step.detail = "failed", f"still pending after {timing.promotion_deadline:.0f}s: {names}"
            raise PromotionDidNotFinish(step.detail) from None
        failed = [a for a in apps if a.target_status != "succeeded"]
        step.detail = "; ".join(f"{a.target_app}: {a.target_status}" for a in apps)
        if failed:
            step.result = "failed"
        return failed


async def check_releases(session: Session, apps: list[AppPromotion]) -> list[str]:
    """Wait for each promoted release to leave `pending`; problems if it failed or its slug is not staging's."""
    problems: list[str] = []
    async with session.step("check-release") as step:
        for app in apps:
            assert app.promoted_release is not None
            release = await await_release(session, app.target_app, app.promoted_release.id)
            app.promoted_release = ReleaseRef.of(release)
            session.save()
            if release.status != "succeeded":
                problems.append(f"{app.target_app}: promoted release v{release.version} is {release.status}")
            elif release.slug_id != app.source_release.slug_id:
                problems.append(
                    f"{app.target_app}: promoted release v{release.version} runs slug {release.slug_id}, "
                    f"not staging's {app.source_release.slug_id}"
                )
        step.detail = "; ".join(problems) or ", ".join(
            f"{a.target_app} v{a.promoted_release.version} runs slug {a.source_release.slug_id}"
            for a in apps
            if a.promoted_release
        )
        step.result = "failed" if problems else "ok"
    return problems


async def await_release(session: Session, app: str, release_id: str) -> LiveRelease:
    """The release once it is no longer `pending` (release phase), or as it stands at the deadline."""
    try:
        return await poll_until(
            lambda: session.reads.release(app, release_id),
            lambda release: release.status != "pending",
            clock=session.clock,
            waiter=session.timing.waiter(session.timing.release_deadline),
            waiting=lambda release, left: session.waiting(
                f"  {app} v{release.version}: release phase running ({left:.0f}s left)"
            ),
        )
    except PollTimedOut as timed_out:
        last: LiveRelease = timed_out.last
        return last


async def where_production_is(session: Session, apps: list[AppPromotion]) -> list[AppState]:
    """Each production app's current release, read now (read-only)."""
    return [AppState(app, await session.reads.current_release(app.target_app)) for app in apps]
