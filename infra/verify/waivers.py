"""Waivers: reviewed, expiring exceptions for known drift.

A waivers file (YAML, committed and reviewed like code)::

    waivers:
      - check: web/config/FEATURE_*          # a check-id glob (see checkids.py)
        stack: production                    # optional: only in this stack
        reason: growth team's experiment flags, set by hand until the flag service ships
        owner: alice@example.com
        expires: 2026-03-31                  # last day the waiver applies
      - check: web/domain/*.shop.example.com
        exact: true                          # optional: this check id only, read literally (no glob,
        stack: production                    #   nothing beneath it): what `drift --write-waivers` writes
        reason: wildcard domain added for the spring campaign, declared in the next release
        owner: bob@example.com
        expires: 2026-04-30

Every field but `stack` and `exact` is required. A waiver turns a `missing`, `changed` or `unmanaged`
finding into `waived`; it never hides an `error` or `pending` (those are not drift). Once
expired it waives nothing, so the drift fails the run again; a waiver that matched nothing
is reported as stale. The file is read and validated before any API call: a malformed one
raises `WaiverFileError` and the run does not start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from infra.errors import SpecError, WaiverFileError
from infra.spec.loader import render_path
from infra.spec.yaml_source import read_yaml
from infra.verify.checkids import CheckPattern, PatternError
from infra.verify.findings import Finding, Outcome, WaiverRef


def _pattern(text: str) -> str:
    try:
        pattern = CheckPattern(text)
    except PatternError as err:
        raise ValueError(str(err)) from None
    if pattern.is_wildcard_only:
        raise ValueError(f"{text!r} matches every check; a waiver must name what it waives (e.g. web/config/FOO)")
    return text


class Waiver(BaseModel):
    """One reviewed exception."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: Annotated[str, AfterValidator(_pattern)]
    stack: str | None = None
    exact: bool = Field(default=False, description="match this one check id, literally, and nothing beneath it")
    reason: str = Field(min_length=10, description="why this drift is acceptable, for the reviewer")
    owner: str = Field(min_length=1, description="who answers for it")
    expires: date

    @cached_property
    def pattern(self) -> CheckPattern:
        """`check` parsed once: every finding of a run is matched against every waiver."""
        return CheckPattern(self.check)

    def matches(self, finding: Finding, stack: str) -> bool:
        if self.stack is not None and self.stack != stack:
            return False
        return finding.check_id == self.check if self.exact else self.pattern.matches(finding.check_id)

    def expired(self, today: date) -> bool:
        return today > self.expires

    def ref(self, today: date) -> WaiverRef:
        return WaiverRef(self.check, self.reason, self.owner, self.expires.isoformat(), expired=self.expired(today))


class WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: tuple[Waiver, ...] = ()


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    """The waivers in `path`; WaiverFileError naming the file, entry and field when anything is wrong."""
    try:
        raw = read_yaml(path)
    except SpecError as err:
        raise WaiverFileError(str(err)) from None
    if raw is None:
        return ()
    try:
        return WaiverFile.model_validate(raw).waivers
    except ValidationError as err:
        problems = []
        for detail in err.errors():
            where = render_path(detail["loc"]) or "(top level)"
            message = str(detail["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}")
        lines = "\n".join(f"  - {p}" for p in problems)
        allowed = "check, stack (optional), exact (optional), reason, owner, expires (YYYY-MM-DD)"
        raise WaiverFileError(
            f"{path.name}: {len(problems)} problem{'s' if len(problems) > 1 else ''} (each waiver takes {allowed})"
            f"\n{lines}"
        ) from None


def apply_waivers(findings: Iterable[Finding], waivers: Sequence[Waiver], *, stack: str, today: date) -> list[Finding]:
    """Drift findings covered by an active waiver become `waived`; an expired one is noted and waives nothing."""
    out: list[Finding] = []
    for finding in findings:
        if not finding.outcome.is_drift:
            out.append(finding)
            continue
        matching = [w for w in waivers if w.matches(finding, stack)]
        active = next((w for w in matching if not w.expired(today)), None)
        if active is not None:
            out.append(replace(finding, outcome=Outcome.WAIVED, waiver=active.ref(today), waived_from=finding.outcome))
        elif matching:
            out.append(replace(finding, waiver=matching[0].ref(today)))
        else:
            out.append(finding)
    return out


def waiver_warnings(
    waivers: Sequence[Waiver], results: Iterable[tuple[str, Sequence[Finding]]], *, today: date, scoped: bool
) -> list[str]:
    """Stale waivers: ones that waived nothing this run (unless the run was scoped), and expired ones."""
    used: set[int] = set()
    touched: set[int] = set()
    for stack, findings in results:
        for finding in findings:
            for index, waiver in enumerate(waivers):
                if waiver.matches(finding, stack):
                    touched.add(index)
                    if finding.outcome is Outcome.WAIVED or finding.waiver is not None:
                        used.add(index)
    warnings: list[str] = []
    for stack, findings in results:
        for finding in findings:
            if finding.outcome is Outcome.WAIVED and finding.liveness and finding.waiver is not None:
                warnings.append(
                    f"WAIVED LIVENESS CHECK {stack}: {finding.check_id} ({finding.summary}): the app may be down, and "
                    f"only the waiver `{finding.waiver.pattern}` (owner {finding.waiver.owner}, expires "
                    f"{finding.waiver.expires}) keeps this run clean"
                )
    for index, waiver in enumerate(waivers):
        label = f"waiver {index + 1} (`{waiver.check}`, owner {waiver.owner})"
        if waiver.expired(today):
            if index in used:
                warnings.append(f"{label} expired on {waiver.expires.isoformat()}: its drift fails again")
            else:
                warnings.append(f"{label} expired on {waiver.expires.isoformat()} and matches no drift: delete it")
        elif index not in used:
            if index in touched:
                warnings.append(f"{label} is unused: the checks it matches pass now, so delete it")
            elif not scoped:
                warnings.append(f"{label} is unused: it matches no check in this run, so delete or fix it")
    return warnings
