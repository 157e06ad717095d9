"""Markdown for a CI job summary (`>> $GITHUB_STEP_SUMMARY`) or a pull-request comment."""

from __future__ import annotations

from collections.abc import Sequence

from infra.verify.findings import Finding, Outcome
from infra.verify.reports.common import run_title, verdict
from infra.verify.result import VerificationResult

_ICON = {
    Outcome.ERROR: ":x:",
    Outcome.MISSING: ":x:",
    Outcome.CHANGED: ":x:",
    Outcome.UNMANAGED: ":warning:",
    Outcome.PENDING: ":hourglass:",
    Outcome.WAIVED: ":zzz:",
    Outcome.PASS: ":white_check_mark:",
}


def render(results: Sequence[VerificationResult]) -> str:
    code, why = verdict(results)
    lines = [f"## {run_title(results)}", "", f"**{code.name}** (exit {code.value}): {why}", ""]
    for result in results:
        lines += _stack(result)
    return "\n".join(lines).rstrip() + "\n"


def _stack(result: VerificationResult) -> list[str]:
    counts = " · ".join(f"{_ICON[Outcome(o)]} {n} {o}" for o, n in result.counts.items() if n)
    lines = [
        f"### {result.project}/{result.stack} (stage {result.stage})",
        "",
        f"{counts or 'no checks ran'} · {result.api.requests} API requests · {result.duration_seconds:g}s · "
        f"secrets compared by {result.secrets_checked_by}",
        "",
    ]
    attention = [f for f in result.findings if f.outcome is not Outcome.PASS]
    if attention:
        lines += ["| | Check | Found | Who / when | How to resolve |", "| --- | --- | --- | --- | --- |"]
        lines += [_row(f) for f in attention]
        lines.append("")
    passes = [f for f in result.findings if f.outcome is Outcome.PASS]
    if passes:
        lines += [f"<details><summary>{len(passes)} passing checks</summary>", ""]
        lines += [f"- `{f.check_id}`: {_cell(f.summary)}" for f in passes]
        lines += ["", "</details>", ""]
    lines += [f"> :warning: {_cell(w)}" for w in result.warnings]
    if result.warnings:
        lines.append("")
    return lines


def _row(f: Finding) -> str:
    who = f.attribution.note if f.attribution is not None else ""
    fixes = list(f.remedy)
    if f.waiver is not None:
        state = "expired" if f.waiver.expired else "until"
        fixes.append(f"waiver ({f.waiver.owner}, {state} {f.waiver.expires}): {f.waiver.reason}")
    found = f"**{f.outcome.value}**: {f.summary}"
    return f"| {_ICON[f.outcome]} | `{f.check_id}` | {_cell(found)} | {_cell(who)} | {_cell('<br>'.join(fixes))} |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
