"""The result of one verification run, and the exit code it earns.

Exit codes come from `infra.errors.ExitCode`, the one definition `--help` and the README
render. Precedence, worst first: ERROR (an error finding, or zero checks ran: a run that
checked nothing proves nothing), DRIFT (missing, changed or unmanaged), PENDING (only
checks still converging at their deadline remain), OK (waived findings allowed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, computed_field

from infra.errors import ExitCode
from infra.heroku import ClientStats
from infra.verify.findings import DRIFT_OUTCOMES, REPORTED, Finding, Outcome
from infra.verify.live import LiveStack

# Kinds whose live objects can be undeclared, and so have a coverage figure (driftctl's "IaC coverage").
Count = Annotated[int, Field(ge=0)]
CoverageKind = Literal["config", "addon", "attachment", "domain", "formation", "drain"]
COVERAGE_KINDS: tuple[CoverageKind, ...] = get_args(CoverageKind)


@dataclass(frozen=True)
class ApiUsage:
    """What the run asked of the Heroku API (retries included) and what it skipped.

    Measured on the client between the run's start and end: runs sharing one client at the same
    time would count each other's requests, so the CLI verifies stacks one after another.
    """

    __pydantic_config__: ClassVar[ConfigDict] = REPORTED

    requests: Count = 0
    not_modified: Count = 0
    retries: Count = 0
    rate_limited: Count = 0
    server_errors: Count = 0
    transport_errors: Count = 0
    rate_limit_remaining: int | None = None
    reused_from_previous_scan: Count = 0

    @classmethod
    def between(cls, before: ClientStats, after: ClientStats, *, reused: int = 0) -> ApiUsage:
        return cls(
            requests=after.requests - before.requests,
            not_modified=after.not_modified - before.not_modified,
            retries=after.retries - before.retries,
            rate_limited=after.rate_limited - before.rate_limited,
            server_errors=after.server_errors - before.server_errors,
            transport_errors=after.transport_errors - before.transport_errors,
            rate_limit_remaining=after.rate_limit_remaining,
            reused_from_previous_scan=reused,
        )


class Coverage(BaseModel):
    """Of the live objects of one kind, how many the stack declares (platform-managed ones left out)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: CoverageKind
    declared: Count
    live: Count

    def __init__(self, kind: CoverageKind, declared: int, live: int) -> None:
        super().__init__(kind=kind, declared=declared, live=live)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> float | None:
        return None if self.live == 0 else round(100 * self.declared / self.live, 1)


@dataclass(frozen=True)
class VerificationResult:
    """Everything one run found for one stack; reports render it, the CLI exits with `exit_code`.

    `live` is the state the run read (fingerprints, never a secret value), for callers that build
    on it, such as the promotion gate; reports do not render it.
    """

    project: str
    stack: str
    stage: str
    started_at: datetime
    duration_seconds: float
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...] = ()
    api: ApiUsage = field(default_factory=ApiUsage)
    secrets_checked_by: str = "presence"
    scope: tuple[str, ...] = ()  # human description of --app/--check, empty for everything
    live: LiveStack = field(default_factory=LiveStack, repr=False, compare=False)

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(f.outcome for f in self.findings)
        return {o.value: tally.get(o, 0) for o in Outcome}

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for(self.findings)

    @property
    def coverage(self) -> list[Coverage]:
        return coverage(self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.failed]


def exit_code_for(findings: Sequence[Finding]) -> ExitCode:
    if not findings:
        return ExitCode.ERROR
    outcomes = {f.outcome for f in findings}
    if Outcome.ERROR in outcomes:
        return ExitCode.ERROR
    if outcomes & DRIFT_OUTCOMES:
        return ExitCode.DRIFT
    if Outcome.PENDING in outcomes:
        return ExitCode.PENDING
    return ExitCode.OK


def combined_exit_code(results: Iterable[VerificationResult]) -> ExitCode:
    """The worst exit code over several stacks (ERROR, then DRIFT, then PENDING, then OK)."""
    order = (ExitCode.ERROR, ExitCode.DRIFT, ExitCode.PENDING, ExitCode.OK)
    codes = {r.exit_code for r in results} or {ExitCode.ERROR}
    return next(c for c in order if c in codes)


def coverage(findings: Iterable[Finding]) -> list[Coverage]:
    """Per kind, declared live objects over all live objects (what a person made or the stack made)."""
    objects: dict[tuple[str, str, str], bool] = {}  # (app, kind, subject) -> declared
    live_outcomes = {Outcome.PASS, Outcome.CHANGED, Outcome.UNMANAGED, Outcome.WAIVED}
    for f in findings:
        parts = f.check_id.split("/")
        if f.kind not in COVERAGE_KINDS or len(parts) < 3 or f.platform_managed or f.outcome not in live_outcomes:
            continue
        unmanaged = Outcome.UNMANAGED in (f.outcome, f.waived_from)
        key = (f.app, f.kind, parts[2])
        objects[key] = objects.get(key, True) and not unmanaged
    out = []
    for kind in COVERAGE_KINDS:
        mine = [declared for (_, k, _), declared in objects.items() if k == kind]
        if mine:
            out.append(Coverage(kind, sum(mine), len(mine)))
    return out
