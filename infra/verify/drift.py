"""Verifying several stacks in one run, as `verify` and the scheduled `drift` job do.

One read-only client for the run; the stacks one after another (so each result's API usage is
its own), the apps within a stack at once. With `refresh_dir`, each result also carries what
`pulumi refresh --preview-only` says of its stack (`infra.verify.refresh`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from infra.clock import Clock, SystemClock
from infra.heroku import HerokuClient
from infra.spec.manifest import Manifest
from infra.spec.models import StackSpec
from infra.verify.findings import sort_key
from infra.verify.refresh import refresh_preview
from infra.verify.result import VerificationResult
from infra.verify.run import VerifyOptions, run_verification


async def verify_stacks(
    specs: Sequence[StackSpec],
    manifests: Mapping[str, Manifest],
    options: VerifyOptions,
    *,
    refresh_dir: Path | None = None,
    clock: Clock | None = None,
    client: HerokuClient | None = None,
) -> list[VerificationResult]:
    """Each stack verified with `options` and its own manifest; `client` defaults to a read-only one."""
    clock = clock or SystemClock()
    results: list[VerificationResult] = []
    async with client or HerokuClient(read_only=True, clock=clock) as heroku:
        for spec in specs:
            stack_options = replace(options, manifest=manifests.get(spec.stack))
            results.append(await run_verification(spec, heroku, clock, stack_options))
    if refresh_dir is None:
        return results
    return [await asyncio.to_thread(fold_refresh, r, refresh_dir) for r in results]


def fold_refresh(result: VerificationResult, directory: Path) -> VerificationResult:
    """`result` with what `pulumi refresh --preview-only` says of its stack: a finding, or a warning."""
    outcome = refresh_preview(result.stack, cwd=directory)
    findings = result.findings if outcome.finding is None else (*result.findings, outcome.finding)
    warnings = result.warnings if outcome.warning is None else (*result.warnings, outcome.warning)
    return replace(result, findings=tuple(sorted(findings, key=sort_key)), warnings=warnings)
