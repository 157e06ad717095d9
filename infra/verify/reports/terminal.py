"""The terminal report: failures first, each with who changed it and how to fix it; passes only with -v."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from infra.verify.findings import Finding, Outcome, sort_key
from infra.verify.reports.common import finding_lines, run_title, verdict
from infra.verify.result import VerificationResult

_WIDTH = 9  # the longest outcome word, "unmanaged"
_NAMED = 3  # check ids named on a collapsed error line; the rest are counted


def render(results: Sequence[VerificationResult], *, verbose: bool = False) -> str:
    lines = [run_title(results)]
    for result in results:
        lines += ["", *_stack(result, verbose=verbose)]
    code, why = verdict(results)
    lines += ["", f"result: {code.name} (exit {code.value}): {why}"]
    return "\n".join(lines) + "\n"


def _stack(result: VerificationResult, *, verbose: bool) -> list[str]:
    counts = ", ".join(f"{n} {o}" for o, n in result.counts.items() if n)
    api = result.api
    cached = f", {api.not_modified} not modified" if api.not_modified else ""
    reused = f", {api.reused_from_previous_scan} reused" if api.reused_from_previous_scan else ""
    lines = [
        f"== {result.project}/{result.stack} (stage {result.stage}): {len(result.findings)} checks in "
        f"{result.duration_seconds:g}s, {api.requests} API requests{cached}{reused}",
        f"   {counts or 'no checks'}; secrets compared by {result.secrets_checked_by}"
        + (f"; scope {' '.join(result.scope)}" if result.scope else ""),
    ]
    shown = [f for f in sorted(result.findings, key=sort_key) if verbose or f.outcome is not Outcome.PASS]
    errors, shown = _collapsed_errors(shown)
    lines += errors
    for finding in shown:
        text = finding_lines(finding)
        head = f"{finding.outcome.value:<{_WIDTH}} {finding.check_id}"
        lines.append(f"{head}: {text[0]}")
        lines += [f"{'':<{_WIDTH}}   {line}" for line in text[1:]] if finding.outcome is not Outcome.PASS else []
    hidden = sum(1 for f in result.findings if f.outcome is Outcome.PASS) if not verbose else 0
    if hidden:
        lines.append(f"({hidden} passing checks hidden; -v lists them)")
    if result.coverage:
        cov = ", ".join(f"{c.kind} {c.declared}/{c.live}" for c in result.coverage)
        lines.append(f"coverage (declared/live): {cov}")
    lines += [f"warning: {w}" for w in result.warnings]
    return lines


def _collapsed_errors(findings: list[Finding]) -> tuple[list[str], list[Finding]]:
    """One line per cause shared by several errors (an API down, a bad token), naming how many checks it hit.

    Returns those lines, and the findings still to show one by one.
    """
    by_cause: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.outcome is Outcome.ERROR:
            by_cause[finding.summary].append(finding)
    lines: list[str] = []
    collapsed: set[int] = set()
    for cause, hit in by_cause.items():
        if len(hit) < 2:
            continue
        collapsed.update(id(f) for f in hit)
        ids = [f.check_id for f in hit]
        named = ", ".join(ids[:_NAMED]) + (f" and {len(ids) - _NAMED} more" if len(ids) > _NAMED else "")
        lines.append(f"{Outcome.ERROR.value:<{_WIDTH}} {len(hit)} checks: {cause}")
        lines.append(f"{'':<{_WIDTH}}   ({named})")
    return lines, [f for f in findings if id(f) not in collapsed]
