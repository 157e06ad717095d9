"""Gathering the gate's evidence, then asking the gate.

The evidence is one verification run per stack, both at once, through the read-only client:
every collection the environment diff and the app pairs need (`GATE_COLLECTIONS`) is read by
verification anyway, or asked of it with `read_also`, so the gate builds its evidence from
the runs' snapshots (`StackCheck.live`) and reads nothing of its own: each collection of
each app once, and the pipeline once per stack. Nothing here writes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from infra.errors import HerokuError
from infra.promote.envdiff import diff_environments
from infra.promote.facts import FACT_COLLECTIONS, AppFacts, app_facts, missing
from infra.promote.gate import GateEvidence, GateResult, PairEvidence, StackCheck, evaluate
from infra.promote.promotion_policy import LoadedPolicy
from infra.promote.session import Session
from infra.spec.models import StackSpec
from infra.verify.live import FetchFailed, LiveApp, LiveAppInfo

STAGE_ORDER = ("review", "development", "staging", "production")
# What the gate reads of each app: the diff's facts, the pipeline coupling and the current release.
GATE_COLLECTIONS = FACT_COLLECTIONS | {"coupling", "releases"}


@dataclass(frozen=True)
class Preflight:
    evidence: GateEvidence
    result: GateResult


async def run_preflight(session: Session, source: StackSpec, target: StackSpec, policy: LoadedPolicy) -> Preflight:
    """Verify both stacks and evaluate the gate on what verification read (journal step `preflight`)."""
    async with session.step("preflight") as step:
        problems = _spec_problems(source, target) + await _permission_problems(session, target)
        source_check, target_check = await asyncio.gather(
            session.verifier.verify(source, read_also=GATE_COLLECTIONS),
            session.verifier.verify(target, read_also=GATE_COLLECTIONS),
        )
        source_facts: dict[str, AppFacts] = {}
        target_facts: dict[str, AppFacts] = {}
        pairs: dict[str, PairEvidence] = {}
        for key in sorted(set(source.apps) & set(target.apps)):
            s_side, t_side = _side(key, source, source_check), _side(key, target, target_check)
            problems += [side for side in (s_side, t_side) if isinstance(side, str)]
            if not isinstance(s_side, str) and not isinstance(t_side, str):
                (s_app, source_facts[key]), (t_app, target_facts[key]) = s_side, t_side
                pairs[key] = PairEvidence(key, s_app, t_app)
        diff = diff_environments(source_facts, target_facts, policy=policy, source_spec=source, target_spec=target)
        pipeline = source_check.live.pipeline
        pipeline_id = pipeline.id if pipeline is not None else None
        evidence = GateEvidence(
            pipeline=source.pipeline,
            pipeline_id=pipeline_id if isinstance(pipeline_id, str) else None,
            source_stage=source.stage,
            target_stage=target.stage,
            diff=diff,
            source_check=source_check,
            target_check=target_check,
            pairs=pairs,
            problems=tuple(problems),
            pipeline_error=pipeline_id.reason if isinstance(pipeline_id, FetchFailed) else None,
        )
        result = evaluate(evidence)
        step.result = "ok" if result.passed else "failed"
        step.detail = "gate passed" if result.passed else f"gate refused ({len(result.reasons)} reasons)"
        return Preflight(evidence, result)


def _side(key: str, spec: StackSpec, check: StackCheck) -> tuple[LiveApp, AppFacts] | str:
    """One app of a pair, from its stack's verification snapshot; or the problem line saying why not."""
    snapshot = check.live.apps[key]
    name = spec.apps[key].name
    if snapshot.info is None:
        return f"{key}: app {name} does not exist on Heroku; `pulumi up` the {spec.stack} stack"
    info, coupling, releases, facts = snapshot.info, snapshot.coupling, snapshot.releases, app_facts(snapshot)
    if facts is None or not (
        isinstance(info, LiveAppInfo) and isinstance(coupling, tuple) and isinstance(releases, tuple)
    ):
        return f"{key}: could not read {name} for the gate: {missing(snapshot, GATE_COLLECTIONS)}"
    return snapshot, facts


NEEDED = "deploy"  # what promoting into an app, and rolling it back, takes on a team app


async def _permission_problems(session: Session, target: StackSpec) -> list[str]:
    """The production apps the caller may not deploy to (team apps; a personal app is its owner's)."""
    if target.team is None:
        return []
    reads = session.reads
    try:
        email = await reads.caller_email()
        if await reads.team_role(target.team.name) == "admin":
            return []  # a team admin may do everything on the team's apps
        granted = {app.name: await reads.app_permissions(app.name, email) for app in target.apps.values()}
    except HerokuError as err:
        return [f"could not read whether you may deploy to {target.stack}'s apps (team {target.team.name}): {err}"]
    problems = []
    for app in target.apps.values():
        have = granted[app.name]
        if NEEDED not in have:
            held = ", ".join(sorted(have)) or "no access"
            problems.append(
                f"you ({email}) lack the {NEEDED} permission on {app.name} (you have: {held}), which a promotion "
                f"and its rollback need: ask a {target.team.name} admin to grant it "
                f"(`heroku access:update {email} -a {app.name} --permissions view,{NEEDED}`, and in "
                f"apps.<key>.access of Pulumi.{target.stack}.yaml), or promote as an identity that has it"
            )
    return problems


def _spec_problems(source: StackSpec, target: StackSpec) -> list[str]:
    problems = []
    if source.pipeline != target.pipeline:
        problems.append(
            f"the {source.stack} stack couples to pipeline {source.pipeline!r} and the {target.stack} stack to "
            f"{target.pipeline!r}; a promotion stays inside one pipeline"
        )
    if STAGE_ORDER.index(source.stage) >= STAGE_ORDER.index(target.stage):
        problems.append(
            f"the {source.stack} stack is in stage {source.stage} and {target.stack} in {target.stage}; "
            "promotions go downstream only (development, staging, production)"
        )
    return problems
