"""What every report shares: the finding's full text, titles, and writing several formats from one run."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.errors import ExitCode
from infra.verify import remedies
from infra.verify.findings import Finding
from infra.verify.result import VerificationResult, combined_exit_code

FORMATS = ("json", "junit", "md")


def finding_lines(finding: Finding) -> list[str]:
    """The finding as lines of plain text: what, expected/actual, who/when, how to fix, waiver."""
    lines = [finding.summary]
    if finding.expected is not None or finding.actual is not None:
        lines.append(
            f"expected: {finding.expected if finding.expected is not None else '-'}; "
            f"actual: {finding.actual if finding.actual is not None else '-'}"
        )
    if finding.platform_managed:
        lines.append(f"platform-managed: {finding.platform_managed}")
    if finding.attribution is not None:
        lines.append(f"who/when: {finding.attribution.note}")
    for index, step in enumerate(finding.remedy):
        lines.append(("fix: " if index == 0 else "     ") + step)
    if finding.outcome.is_drift:
        lines.append(
            ("fix: " if not finding.remedy else "     ")
            + remedies.waive(finding.check_id, alternative=bool(finding.remedy))
        )
    if finding.waiver is not None:
        w = finding.waiver
        state = "EXPIRED on" if w.expired else "until"
        lines.append(f"waiver `{w.pattern}` ({w.owner}, {state} {w.expires}): {w.reason}")
    if finding.attempts > 1:
        lines.append(f"attempts: {finding.attempts} over {finding.duration_seconds:g}s")
    return lines


def run_title(results: Sequence[VerificationResult]) -> str:
    stacks = ", ".join(f"{r.project}/{r.stack}" for r in results) or "(no stack)"
    return f"heroku-stack verification of {stacks}"


def verdict(results: Sequence[VerificationResult]) -> tuple[ExitCode, str]:
    """The run's exit code and a sentence saying why."""
    code = combined_exit_code(results)
    checks = sum(len(r.findings) for r in results)
    if checks == 0:
        return code, "zero checks ran: nothing was verified"
    return code, code.meaning


@dataclass(frozen=True)
class ReportTarget:
    """One `--report FORMAT=PATH` (PATH `-` is standard output)."""

    format: str
    path: str


def parse_report_target(text: str) -> ReportTarget:
    """`json=out.json` -> ReportTarget; ValueError naming the allowed formats otherwise."""
    fmt, sep, path = text.partition("=")
    fmt = fmt.strip().lower()
    if fmt == "markdown":
        fmt = "md"
    if not sep or fmt not in FORMATS or not path.strip():
        raise ValueError(f"expected FORMAT=PATH with FORMAT one of {', '.join(FORMATS)} (got {text!r})")
    return ReportTarget(fmt, path.strip())


def renderers() -> dict[str, Callable[[Sequence[VerificationResult]], str]]:
    from infra.verify.reports import json_report, junit, markdown

    return {"json": json_report.render, "junit": junit.render, "md": markdown.render}


def write_reports(results: Sequence[VerificationResult], targets: Sequence[ReportTarget]) -> None:
    """Render each target's format from the same results and write it (creating parent directories)."""
    render = renderers()
    for target in targets:
        text = render[target.format](results)
        if target.path == "-":
            sys.stdout.write(text)
            continue
        path = Path(target.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
