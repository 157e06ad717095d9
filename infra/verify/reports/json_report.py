"""The JSON report: every finding of every stack, in the versioned shape `schema.REPORT_SCHEMA` publishes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from infra.verify.findings import Finding
from infra.verify.reports.common import verdict
from infra.verify.reports.schema import REPORT_SCHEMA_ID
from infra.verify.result import VerificationResult


def _tool_version() -> str:
    try:
        return version("heroku-stack")
    except PackageNotFoundError:
        return "0+unknown"


def document(results: Sequence[VerificationResult], *, generated_at: datetime | None = None) -> dict[str, Any]:
    code, why = verdict(results)
    finished = [r.started_at + timedelta(seconds=r.duration_seconds) for r in results]
    when = generated_at or (max(finished) if finished else datetime.now(UTC))
    return {
        "schema": REPORT_SCHEMA_ID,
        "tool": {"name": "heroku-stack", "version": _tool_version()},
        "generated_at": _iso(when),
        "exit_code": code.value,
        "exit_meaning": why,
        "stacks": [_stack(r) for r in results],
    }


def render(results: Sequence[VerificationResult]) -> str:
    return json.dumps(document(results), indent=2, sort_keys=False) + "\n"


def _stack(result: VerificationResult) -> dict[str, Any]:
    return {
        "project": result.project,
        "stack": result.stack,
        "stage": result.stage,
        "started_at": _iso(result.started_at),
        "duration_seconds": result.duration_seconds,
        "exit_code": result.exit_code.value,
        "secrets_checked_by": result.secrets_checked_by,
        "scope": list(result.scope),
        "counts": result.counts,
        "coverage": [
            {"kind": c.kind, "declared": c.declared, "live": c.live, "percent": c.percent} for c in result.coverage
        ],
        "api": asdict(result.api),
        "warnings": list(result.warnings),
        "findings": [finding_json(f) for f in result.findings],
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "check_id": f.check_id,
        "app": f.app,
        "kind": f.kind,
        "outcome": f.outcome.value,
        "summary": f.summary,
        "expected": f.expected,
        "actual": f.actual,
        "sensitive": f.sensitive,
        "platform_managed": f.platform_managed,
        "attribution": None if f.attribution is None else asdict(f.attribution),
        "remedy": list(f.remedy),
        "waiver": None if f.waiver is None else asdict(f.waiver),
        "waived_from": None if f.waived_from is None else f.waived_from.value,
        "attempts": f.attempts,
        "duration_seconds": f.duration_seconds,
        "severity": f.severity,
    }


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
