"""The promotion, driven end to end: gate, confirmation, promotion, post-flight, rollback, resume.

`promote(request, ...)` returns a `PromotionResult` when production ends where it should
(promoted and healthy, already up to date, a dry run, a status report) and raises the
`PromotionError` whose exit code says what happened otherwise: `PromotionBlocked`,
`PromotionDeclined`, `PromotionRolledBack`, `ProductionNeedsAttention`, `PromotionLocked`.

Every run that may write holds the pipeline's lock (`infra.promote.lock`) from before it reads
the journals until it ends, so a second run never resumes the journal of one still alive.

Before anything else it looks for an open journal for the same stack pair: a promotion
that was interrupted (Ctrl-C, a crash, a lost session) or left needing attention. It says
where production stands and resumes from the journal's phase: it never starts a second
promotion on top of an unfinished one.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

from infra.clock import Clock
from infra.errors import (
    HerokuError,
    ProductionNeedsAttention,
    PromotionBlocked,
    PromotionDeclined,
    PromotionError,
    PromotionRolledBack,
)
from infra.promote import promotion, render
from infra.promote.env import PromoteEnv
from infra.promote.journal import AppPromotion, Journal, JournalStore, Phase, PromotionOutcome, ReleaseRef
from infra.promote.lock import PipelineLock
from infra.promote.preflight import run_preflight
from infra.promote.promotion_policy import LoadedPolicy, load_policy
from infra.promote.rollback import CAVEAT, RollbackFailed, needing_rollback, roll_back
from infra.promote.session import Session, iso
from infra.spec.loader import load_stack
from infra.spec.models import StackSpec
from infra.spec.secret import Secret

Action = Literal["run", "rollback", "resolve", "status"]
Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class PromoteRequest:
    project_dir: Path
    journal_dir: Path
    source_stack: str = "staging"
    target_stack: str = "production"
    policy_path: Path | None = None
    dry_run: bool = False
    rollback: bool = True
    action: Action = "run"
    passphrase: Secret | None = None  # decrypts the stacks' fingerprint_key (PULUMI_CONFIG_PASSPHRASE)


@dataclass(frozen=True)
class PromotionResult:
    outcome: PromotionOutcome | None  # None for a dry run or a status report: nothing happened
    message: str
    journal: Journal | None


async def promote(request: PromoteRequest, env: PromoteEnv, confirm: Confirm) -> PromotionResult:
    """Run (or resume) the promotion `request` describes; see the module docstring for outcomes.

    `confirm(question)` asks a person (or answers for --yes) before any write; it is never
    called in a dry run.
    """
    source, target = (
        load_stack(request.source_stack, request.project_dir, passphrase=request.passphrase),
        load_stack(request.target_stack, request.project_dir, passphrase=request.passphrase),
    )
    policy = load_policy(request.project_dir, request.policy_path)  # a bad policy fails before any API call
    if request.dry_run or request.action == "status":  # they write nothing, so they may look while a run works
        return await _promote_locked(request, env, confirm, source, target, policy)
    with PipelineLock(request.journal_dir, source.pipeline, iso(env.clock)) as lock:
        if lock.stale_note:
            env.out(lock.stale_note)
        return await _promote_locked(request, env, confirm, source, target, policy)


async def _promote_locked(
    request: PromoteRequest,
    env: PromoteEnv,
    confirm: Confirm,
    source: StackSpec,
    target: StackSpec,
    policy: LoadedPolicy,
) -> PromotionResult:
    store = JournalStore(request.journal_dir)
    unfinished = store.open_for(request.source_stack, request.target_stack)
    if unfinished is not None:
        session = env.session(unfinished, None if request.dry_run else store)
        resumed = await _resume(session, request, target, confirm)
        if resumed is not None:
            return resumed
    elif request.action != "run":
        return PromotionResult(
            None, f"no unfinished promotion from {request.source_stack} to {request.target_stack}", None
        )

    session = env.session(_new_journal(request, source, env.clock), None if request.dry_run else store)
    journal = session.journal
    preflight = await run_preflight(session, source, target, policy)
    for line in render.gate_lines(preflight.result, source.stack, target.stack):
        session.out(line)
    journal.pipeline_id = preflight.evidence.pipeline_id
    if not preflight.result.passed:
        reasons = "\n".join(f"  {r}" for r in preflight.result.reasons)
        _close(session, PromotionOutcome.BLOCKED, f"the pre-flight gate refused; nothing was changed:\n{reasons}")
        raise PromotionBlocked(journal.message)
    if preflight.result.nothing_to_do:
        return _done(
            session, PromotionOutcome.UP_TO_DATE, f"{target.stack} already runs {source.stack}'s build; nothing to do"
        )
    journal.apps = [
        AppPromotion(
            key=key,
            source_app=pair.source.name,
            source_app_id=source_id,
            target_app=pair.target.name,
            target_app_id=target_id,
            source_release=ReleaseRef.of(source_release),
            previous_release=ReleaseRef.of(target_release),
        )
        for key, pair in sorted(preflight.evidence.pairs.items())
        if key not in preflight.result.up_to_date
        and (source_id := pair.source.app_id) is not None
        and (target_id := pair.target.app_id) is not None
        and (source_release := pair.source.current_release()) is not None
        and (target_release := pair.target.current_release()) is not None
    ]
    for line in render.plan_lines(journal, journal.apps, env.timing):
        session.out(line)
    if request.dry_run:
        return PromotionResult(None, "dry run: nothing was written (no write request, no journal)", journal)
    session.out(f"Journal: {store.path_for(journal.id)}")
    question = f"Promote {source.stack} to {target.stack} ({', '.join(a.target_app for a in journal.apps)})?"
    if not confirm(question):
        _close(session, PromotionOutcome.DECLINED, "declined at the prompt (or no --yes); nothing was changed")
        raise PromotionDeclined(journal.message)
    journal.phase = Phase.CONFIRMED
    session.save()
    return await _guarded(session, _promote_and_verify(session, target))


async def _promote_and_verify(session: Session, target: StackSpec) -> PromotionResult:
    apps = session.journal.apps
    try:
        await promotion.start(session, session.open_writes(), apps)
    except promotion.ProductionMoved as err:
        if not session.journal.wrote:
            _close(
                session,
                PromotionOutcome.BLOCKED,
                f"{err}. Nothing was changed; run the promotion again to gate it afresh.",
            )
            raise PromotionBlocked(session.journal.message) from None
        return await _settle(session, target, [str(err)])
    except promotion.AnswerLost as err:
        states = await promotion.where_production_is(session, apps)
        _attention(session, [str(err) + ".", *render.state_lines(states), *_LOST_ANSWER_ADVICE])
    except HerokuError as err:
        return await _settle(session, target, [f"POST /pipeline-promotions failed: {err}"])
    return await _await_and_verify(session, target, apps)


_LOST_ANSWER_ADVICE = (
    "Heroku may still apply it; this promotion will never be sent again. Do not promote by hand.",
    "Run `heroku-stack promote --status` to see where production stands, then `heroku-stack promote` to resume "
    "(it asks Heroku again before deciding), or `--rollback` / `--resolve`.",
)


async def _await_and_verify(session: Session, target: StackSpec, apps: list[AppPromotion]) -> PromotionResult:
    journal = session.journal
    try:
        failed = await promotion.await_targets(session, apps)
    except promotion.PromotionDidNotFinish as err:
        states = await promotion.where_production_is(session, apps)
        lines = [
            f"the promotion did not finish: {err}",
            *render.state_lines(states),
            "It may still complete on Heroku. Run `heroku-stack promote` again to resume it, "
            "or `heroku-stack promote --rollback` to roll production back.",
        ]
        _attention(session, lines)
    if failed:
        why = [
            f"promotion to {a.target_app} failed: {a.error_message or 'Heroku gave no error message'}" for a in failed
        ]
        return await _settle(session, target, why)
    journal.phase = Phase.PROMOTED
    session.save()
    return await _postflight(session, target, apps)


async def _postflight(session: Session, target: StackSpec, apps: list[AppPromotion]) -> PromotionResult:
    problems = await promotion.check_releases(session, apps)
    if not problems:
        async with session.step("postflight") as step:
            check = await session.verifier.verify(target)
            step.result = "ok" if check.clean else "failed"
            step.detail = f"{check.checks} checks" + (f"; {len(check.problems)} failed" if check.problems else "")
        if check.clean:
            versions = ", ".join(f"{a.target_app} v{a.promoted_release.version}" for a in apps if a.promoted_release)
            verb = "runs" if len(apps) == 1 else "run"
            return _done(
                session, PromotionOutcome.SUCCEEDED, f"promoted and verified: {versions} {verb} staging's build"
            )
        problems = [f"post-flight failed on {target.stack}:", *(f"  {p}" for p in check.problems)]
    return await _settle(session, target, problems)


async def _settle(session: Session, target: StackSpec, why: list[str]) -> PromotionResult:
    """After a failure: leave production alone if it did not move, else roll back (or hand over)."""
    states = await promotion.where_production_is(session, session.journal.apps)
    moved = needing_rollback(states)
    if not moved:
        lines = [*why, *render.state_lines(states)]
        _close(session, PromotionOutcome.FAILED, "\n".join(lines))
        raise ProductionNeedsAttention(session.journal.message)
    if not session.journal.rollback:
        _attention(
            session,
            [
                *why,
                *render.state_lines(states),
                "--no-rollback: production was left as it is. Roll it back with `heroku-stack promote --rollback`, "
                "or fix forward and close this promotion with `heroku-stack promote --resolve`.",
            ],
        )
    return await _roll_back_and_check(session, target, moved, why)


async def _roll_back_and_check(
    session: Session, target: StackSpec, apps: list[AppPromotion], why: list[str], *, asked: bool = False
) -> PromotionResult:
    """Roll `apps` back and check production's health; `asked` (--rollback) makes success an outcome, not an error."""
    try:
        problems = await roll_back(session, apps)
    except RollbackFailed as err:
        states = await promotion.where_production_is(session, session.journal.apps)
        _attention(session, [*why, f"ROLLBACK FAILED: {err}", *render.state_lines(states), _by_hand(apps)])
    if problems:
        _attention(session, [*why, "ROLLBACK FAILED:", *problems, _by_hand(apps)])
    async with session.step("verify-rollback") as step:
        check = await session.verifier.verify(target)
        step.result = "ok" if check.healthy else "failed"
    rolled = ", ".join(f"{a.target_app} v{a.rollback_release.version}" for a in apps if a.rollback_release)
    if not check.healthy:
        _attention(
            session, [*why, f"rolled back ({rolled}) but production is still unhealthy:", *check.problems, CAVEAT]
        )
    if asked:
        return _done(
            session, PromotionOutcome.ROLLED_BACK_AS_ASKED, "\n".join([f"rolled back and healthy: {rolled}", CAVEAT])
        )
    _close(session, PromotionOutcome.ROLLED_BACK, "\n".join([*why, f"rolled back and healthy: {rolled}", CAVEAT]))
    raise PromotionRolledBack(session.journal.message)


async def _resume(
    session: Session, request: PromoteRequest, target: StackSpec, confirm: Confirm
) -> PromotionResult | None:
    """Report an open journal and carry it on; None when it wrote nothing and a fresh run should follow."""
    journal = session.journal
    session.out(render.journal_summary(journal))
    async with session.step("inspect"):
        states = await promotion.where_production_is(session, journal.apps)
    for line in render.state_lines(states):
        session.out(line)
    if request.action == "status" or request.dry_run:
        return PromotionResult(None, "status only: nothing was changed", journal)
    if request.action == "resolve":
        return _done(session, PromotionOutcome.RESOLVED, "closed by a person (--resolve); production left as it is")
    if not journal.wrote:
        _close(session, PromotionOutcome.ABANDONED, "interrupted before any write; nothing was changed")
        session.out("It wrote nothing to Heroku; starting afresh.")
        return None
    verb = "Roll production back" if request.action == "rollback" else "Resume this promotion"
    if not confirm(f"{verb} ({', '.join(a.target_app for a in journal.apps)})?"):
        raise PromotionDeclined(f"declined; promotion {journal.id} is still unfinished and production is as shown")
    if request.action == "rollback" or journal.phase == Phase.ROLLING_BACK:
        for state in states:  # a rollback POST whose answer was lost: its release is the current one
            app = state.app
            lost = app.rollback_requested and app.rollback_release is None and state.moved and state.current
            if lost and state.current and state.current.slug_id == app.previous_release.slug_id:
                app.rollback_release = ReleaseRef.of(state.current)
        apps = [state.app for state in states if state.moved]  # `roll_back` only awaits those already sent
        if not apps:
            return _done(
                session,
                PromotionOutcome.RESOLVED,
                "production already runs its previous releases; nothing to roll back",
            )
        asked = request.action == "rollback"
        why = "rollback asked for by --rollback" if asked else "an interrupted rollback resumed"
        return await _guarded(session, _roll_back_and_check(session, target, apps, [why], asked=asked))
    if journal.phase == Phase.PROMOTING:
        return await _guarded(session, _resume_promoting(session, target, states))
    return await _guarded(session, _postflight(session, target, journal.apps))


async def _resume_promoting(session: Session, target: StackSpec, states: list[promotion.AppState]) -> PromotionResult:
    """Judge each app whose promotion has no id by where production is; nothing is ever sent again."""
    for state in states:
        app = state.app
        if app.promotion_id is not None or app.target_status in promotion.FINAL_TARGET:
            continue
        found = ReleaseRef.of(state.current) if state.moved and state.runs_source_slug and state.current else None
        if found is None and app.answer_lost:  # sent, answer lost: Heroku may still be applying it
            found = await promotion.find_promoted_release(session, app)
        app.target_status = "succeeded" if found else "failed"
        app.error_message = None if found else "the request got no answer and production never showed it"
        app.promoted_release = found
    session.save()
    return await _await_and_verify(session, target, session.journal.apps)


async def _guarded(session: Session, work: Coroutine[Any, Any, PromotionResult]) -> PromotionResult:
    """Run `work`, which may write; however it stops, the journal and the message say where production is.

    Ctrl-C or cancellation: the journal records where it stopped, and the next run resumes it.
    Any other failure after a write (an API outage while polling, a bug): needs a person, and
    says so, rather than leaving production half-promoted behind a bare error.
    """
    journal = session.journal
    try:
        return await work
    except (KeyboardInterrupt, asyncio.CancelledError):
        journal.outcome = PromotionOutcome.NEEDS_ATTENTION
        journal.message = (
            f"interrupted during phase {journal.phase}; production may be half-promoted. "
            "Run `heroku-stack promote` again to see where it stands and resume, or add --rollback."
        )
        session.save()
        raise
    except PromotionError:
        raise
    except Exception as err:
        if not journal.wrote:
            raise
        _attention(
            session,
            [
                f"lost track of the promotion during phase {journal.phase}: {err}",
                "Production may be half-promoted. Run `heroku-stack promote --status` to see where it stands, "
                "then run it again to resume, or with --rollback.",
            ],
        )


def _new_journal(request: PromoteRequest, source: StackSpec, clock: Clock) -> Journal:
    now = iso(clock)
    return Journal(
        id=f"{now.replace('-', '').replace(':', '')}-{secrets.token_hex(3)}",  # sorts by time
        created_at=now,
        source_stack=request.source_stack,
        target_stack=request.target_stack,
        pipeline=source.pipeline,
        pipeline_id=None,
        rollback=request.rollback,
    )


def _close(session: Session, outcome: PromotionOutcome, message: str) -> None:
    journal = session.journal
    journal.phase, journal.outcome, journal.message = Phase.CLOSED, outcome, message
    session.save()


def _done(session: Session, outcome: PromotionOutcome, message: str) -> PromotionResult:
    _close(session, outcome, message)
    return PromotionResult(outcome, message, session.journal)


def _attention(session: Session, lines: list[str]) -> NoReturn:
    """Leave the journal open (its phase says where to resume) and raise for a person."""
    journal = session.journal
    journal.outcome, journal.message = PromotionOutcome.NEEDS_ATTENTION, "\n".join(lines)
    session.save()
    raise ProductionNeedsAttention(f"{journal.message}\nJournal: {journal.path or journal.id}")


def _by_hand(apps: list[AppPromotion]) -> str:
    steps = "; ".join(f"heroku releases:rollback v{a.previous_release.version} -a {a.target_app}" for a in apps)
    return f"Roll back by hand ({steps}), then close this promotion with `heroku-stack promote --resolve`."
