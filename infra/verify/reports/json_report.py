"""The JSON report: every finding of every stack, as the typed `document.ReportDoc` whose schema `schema` publishes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from infra.verify.findings import Finding
from infra.verify.reports.common import verdict
from infra.verify.reports.document import REPORT_SCHEMA_ID, FindingDoc, ReportDoc, StackDoc, ToolDoc, dump
from infra.verify.result import VerificationResult


def _tool_version() -> str:
    try:
        return version("heroku-stack")
    except PackageNotFoundError:
        return "0+unknown"


def report(results: Sequence[VerificationResult], *, generated_at: datetime | None = None) -> ReportDoc:
    code, why = verdict(results)
    finished = [r.started_at + timedelta(seconds=r.duration_seconds) for r in results]
    return ReportDoc(
        schema=REPORT_SCHEMA_ID,
        tool=ToolDoc(name="heroku-stack", version=_tool_version()),
        generated_at=generated_at or (max(finished) if finished else datetime.now(UTC)),
        exit_code=code,
        exit_meaning=why,
        stacks=[StackDoc.of(r) for r in results],
    )


def document(results: Sequence[VerificationResult], *, generated_at: datetime | None = None) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return dump(report(results, generated_at=generated_at))


def render(results: Sequence[VerificationResult]) -> str:
    return json.dumps(document(results), indent=2, sort_keys=False) + "\n"


def finding_json(f: Finding) -> dict[str, Any]:
    return dump(FindingDoc.of(f))
