"""Gathering the gate's evidence through the read-only client, concurrently, then asking the gate.

Per app pair: the app (`GET /apps/{app}`), its coupling, its ten newest releases and the
six collections the environment diff compares; per stack: one verification run; once: the
pipeline by name. Nothing here writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from infra.errors import NotFound
from infra.promote.allowlist import LoadedPolicy
from infra.promote.envdiff import diff_environments
from infra.promote.facts import AppFacts
from infra.promote.gate import GateEvidence, GateResult, LiveApp, PairEvidence, evaluate
from infra.promote.session import Session
from infra.spec.models import StackSpec

STAGE_ORDER = ("review", "development", "staging", "production")


@dataclass(frozen=True)
class Preflight:
    evidence: GateEvidence
    result: GateResult


async def run_preflight(session: Session, source: StackSpec, target: StackSpec, policy: LoadedPolicy) -> Preflight:
    """Read everything the gate needs and evaluate it (journal step `preflight`)."""
    async with session.step("preflight") as step:
        problems = _spec_problems(source, target)
        keys = sorted(set(source.apps) & set(target.apps))
        pipeline_id, source_check, target_check, read = await asyncio.gather(
            session.reads.pipeline_id(source.pipeline),
            session.verifier.verify(source),
            session.verifier.verify(target),
            asyncio.gather(
                *(_read_app(session, key, spec.apps[key].name) for key in keys for spec in (source, target))
            ),
        )
        source_facts: dict[str, AppFacts] = {}
        target_facts: dict[str, AppFacts] = {}
        pairs: dict[str, PairEvidence] = {}
        for index, key in enumerate(keys):
            s_read, t_read = read[2 * index], read[2 * index + 1]
            for spec, got in ((source, s_read), (target, t_read)):
                if got is None:
                    problems.append(
                        f"{key}: app {spec.apps[key].name} does not exist on Heroku; `pulumi up` the {spec.stack} stack"
                    )
            if s_read is not None and t_read is not None:
                source_facts[key], target_facts[key] = s_read[1], t_read[1]
                pairs[key] = PairEvidence(key, s_read[0], t_read[0])
        diff = diff_environments(source_facts, target_facts, policy=policy, source_spec=source, target_spec=target)
        evidence = GateEvidence(
            pipeline=source.pipeline,
            pipeline_id=pipeline_id,
            source_stage=source.stage,
            target_stage=target.stage,
            diff=diff,
            source_check=source_check,
            target_check=target_check,
            pairs=pairs,
            problems=tuple(problems),
        )
        result = evaluate(evidence)
        step.result = "ok" if result.passed else "failed"
        step.detail = "gate passed" if result.passed else f"gate refused ({len(result.reasons)} reasons)"
        return Preflight(evidence, result)


async def _read_app(session: Session, key: str, name: str) -> tuple[LiveApp, AppFacts] | None:
    reads = session.reads
    try:
        info = await reads.app(name)
    except NotFound:
        return None
    coupling, release, facts = await asyncio.gather(
        reads.coupling(name), reads.current_release(name), reads.facts(key, name, info)
    )
    live = LiveApp(
        name=name,
        id=str(info.get("id")),
        generation=_generation(info),
        pipeline_id=coupling.pipeline_id if coupling else None,
        stage=coupling.stage if coupling else None,
        release=release.ref if release else None,
        release_status=release.status if release else None,
    )
    return live, facts


def _generation(info: Mapping[str, object]) -> str | None:
    generation = info.get("generation")
    name = generation.get("name") if isinstance(generation, dict) else None
    return str(name) if name else None


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
