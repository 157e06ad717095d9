"""The pre-flight gate: everything that must hold before production is touched, judged without I/O.

The runner gathers the evidence (environment diff, a verification of each stack, each
app's pipeline coupling, generation and current release) through a read-only client; this
module only decides. Every refusal is one line that says what is wrong and what to do.

What the gate requires (issue 5; research notes verification-anchors.md §4, proposal 13):

- the environment diff has no difference the policy does not allow;
- staging is verified clean (no drift, error or pending check) and healthy on its current release,
  and that release `succeeded` and carries a slug (a promotion copies the slug);
- production is free of drift (its health before the promotion is reported, not required:
  promoting a fix into a broken production is legitimate);
- both apps of each pair are coupled to the stacks' pipeline, staging's app in the source
  stage and production's in the target stage;
- both apps run on the same generation (Heroku refuses promotions between Cedar and Fir).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from infra.promote.envdiff import EnvDiff, EnvDifference
from infra.promote.promotion_policy import POLICY_FILE
from infra.verify.live import LiveApp, LiveStack


@dataclass(frozen=True)
class StackCheck:
    """What a verification run of one stack said, reduced to what the gate needs (already redacted)."""

    stack: str
    drift_free: bool  # no missing, changed, unmanaged, error or pending finding outside health
    healthy: bool  # every health check passed on the current release (true when none is declared)
    problems: tuple[str, ...] = ()  # one line per finding that did not pass
    checks: int = 0
    live: LiveStack = field(default_factory=LiveStack, repr=False, compare=False)  # what it read, to build on

    @property
    def clean(self) -> bool:
        return self.drift_free and self.healthy and self.checks > 0


@dataclass(frozen=True)
class PairEvidence:
    """A staging app and its production app, as their stacks' verification read them (app, coupling, releases)."""

    key: str
    source: LiveApp
    target: LiveApp


@dataclass(frozen=True)
class GateEvidence:
    pipeline: str
    pipeline_id: str | None  # None when no pipeline by that name exists, or the lookup failed
    source_stage: str
    target_stage: str
    diff: EnvDiff
    source_check: StackCheck
    target_check: StackCheck
    pairs: Mapping[str, PairEvidence]
    problems: tuple[str, ...] = ()  # found while gathering: an app Heroku does not have, stacks that disagree
    pipeline_error: str | None = None  # why the pipeline could not be looked up (Heroku would not answer)


@dataclass(frozen=True)
class GateResult:
    reasons: tuple[str, ...]  # each one blocks the promotion
    notes: tuple[str, ...]  # worth reading, never blocking
    up_to_date: tuple[str, ...]  # app keys whose production already runs staging's slug
    pairs: int

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def nothing_to_do(self) -> bool:
        """True when the gate passed and every production app already runs its staging app's slug."""
        return self.passed and self.pairs > 0 and len(self.up_to_date) == self.pairs


def evaluate(evidence: GateEvidence) -> GateResult:
    """Decide whether the promotion may go ahead; never raises, never reads."""
    reasons: list[str] = list(evidence.problems)
    notes: list[str] = []
    diff = evidence.diff
    reasons.extend(_blocking_line(diff, d) for d in diff.blocking)
    notes.extend(f"{d.path}: {_sides(diff, d)} (allowed: {d.allowed_by.reason})" for d in diff.allowed if d.allowed_by)
    notes.extend(f"{diff.policy_label}: {r.path} matched nothing; remove it if it is stale" for r in diff.unused_rules)

    src, tgt = evidence.source_check, evidence.target_check
    if src.checks == 0:
        reasons.append(f"{src.stack}: verification ran no checks, so nothing proves staging is ready")
    if not src.drift_free:
        reasons.append(f"{src.stack} is not verified clean; fix it (`pulumi up`) and verify again:")
        reasons.extend(f"  {line}" for line in src.problems)
    elif not src.healthy:
        reasons.append(f"{src.stack} is not healthy on its current release:")
        reasons.extend(f"  {line}" for line in src.problems)
    if not tgt.drift_free:
        reasons.append(f"{tgt.stack} has drift; reconcile it (`pulumi up`, or waive it) before promoting:")
        reasons.extend(f"  {line}" for line in tgt.problems)
    elif not tgt.healthy:
        notes.append(f"{tgt.stack} is unhealthy before the promotion; a rollback would return to that state")

    if evidence.pipeline_error is not None:
        reasons.append(f"pipeline {evidence.pipeline!r} could not be looked up: {evidence.pipeline_error}")
    elif evidence.pipeline_id is None:
        reasons.append(f"pipeline {evidence.pipeline!r} does not exist; `pulumi up` the stack that owns it")
    up_to_date: list[str] = []
    for key, pair in sorted(evidence.pairs.items()):
        reasons.extend(_pair_reasons(evidence, pair))
        source_release, target_release = pair.source.current_release(), pair.target.current_release()
        source_slug = source_release.slug_id if source_release else None
        target_slug = target_release.slug_id if target_release else None
        if source_slug is not None and source_slug == target_slug:
            up_to_date.append(key)
        if target_slug is None:
            notes.append(f"{key}: {pair.target.name} has no release with a slug yet; there is nothing to roll back to")
    return GateResult(tuple(reasons), tuple(notes), tuple(up_to_date), len(evidence.pairs))


def _pair_reasons(evidence: GateEvidence, pair: PairEvidence) -> list[str]:
    reasons = []
    for app, stage in ((pair.source, evidence.source_stage), (pair.target, evidence.target_stage)):
        coupling = app.pipeline_coupling
        if coupling is None:
            reasons.append(
                f"{pair.key}: {app.name} is not coupled to any pipeline (expected {evidence.pipeline!r}, stage {stage})"
            )
        elif evidence.pipeline_id is not None and coupling.pipeline_id != evidence.pipeline_id:
            reasons.append(f"{pair.key}: {app.name} is coupled to another pipeline than {evidence.pipeline!r}")
        elif coupling.stage != stage:
            reasons.append(
                f"{pair.key}: {app.name} is in the {coupling.stage} stage of {evidence.pipeline!r}, not {stage}"
            )
    release = pair.source.current_release()
    if release is None:
        reasons.append(f"{pair.key}: {pair.source.name} has no release to promote")
    elif release.status != "succeeded":
        reasons.append(
            f"{pair.key}: {pair.source.name}'s current release v{release.version} is {release.status}, not succeeded"
        )
    elif release.slug_id is None:
        reasons.append(f"{pair.key}: {pair.source.name}'s current release v{release.version} has no slug to promote")
    if pair.target.current_release() is None:
        reasons.append(f"{pair.key}: {pair.target.name} has no current release to promote onto or roll back to")
    s_gen, t_gen = pair.source.generation, pair.target.generation
    if s_gen and t_gen and s_gen != t_gen:
        reasons.append(
            f"{pair.key}: {pair.source.name} runs on {s_gen} and {pair.target.name} on {t_gen}; "
            "Heroku promotes only between apps of the same generation"
        )
    return reasons


def _sides(diff: EnvDiff, d: EnvDifference) -> str:
    return f"{diff.source_stack} {d.source}, {diff.target_stack} {d.target}"


def _blocking_line(diff: EnvDiff, d: EnvDifference) -> str:
    note = f"; {d.note}" if d.note else ""
    if d.violates is not None:
        return f"{d.path}: {d.note} ({diff.policy_label}: {d.violates.reason})"
    if "/" not in d.path:
        return f"{d.path}: {d.note}"
    if diff.policy_file is None:
        return (
            f"{d.path}: {_sides(diff, d)}{note}. The project has no {POLICY_FILE}, so nothing may differ; if this "
            f"is intended, create {POLICY_FILE} with `may_differ:` listing `- path: {d.path}` and a `reason:`"
        )
    return (
        f"{d.path}: {_sides(diff, d)}{note}. Not allowed by {diff.policy_file}; if it is intended, add "
        f"`- path: {d.path}` with a `reason:` under `may_differ`"
    )
