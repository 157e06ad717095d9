"""One verification run: expected state, live snapshot, comparison, convergence, attribution, waivers.

    async with HerokuClient(read_only=True) as heroku:
        result = await run_verification(spec, heroku, SystemClock(), VerifyOptions(manifest=doc))
    sys.exit(result.exit_code)

The client must be read-only. Everything else (waivers, manifest, scope) is validated
before the first API call, so bad input costs no request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import httpx

from infra.clock import Clock
from infra.errors import ScopeError
from infra.heroku import HerokuClient
from infra.spec.manifest import Manifest
from infra.spec.models import StackSpec
from infra.verify.account import ACCOUNT_WIDE_FROM
from infra.verify.attribution import attribute
from infra.verify.checkids import Scope
from infra.verify.converge import DEFAULT_POLICIES, Convergence, WaitPolicy
from infra.verify.expected import ExpectedStack, expected_state
from infra.verify.findings import Finding, sort_key
from infra.verify.live import LivePipeline, LiveStack
from infra.verify.result import ApiUsage, VerificationResult
from infra.verify.snapshot import COLLECTIONS, RELEASE_WINDOW, ScanMemo, SnapshotReader, collections_for
from infra.verify.target import Target
from infra.verify.waivers import Waiver, apply_waivers, waiver_warnings


@dataclass(frozen=True)
class VerifyOptions:
    """How a run looks and waits. Every field has a default that suits `verify` right after `pulumi up`.

    manifest: the `manifest` stack output (parsed JSON); secrets are then compared by fingerprint.
    scope: which apps and checks (`Scope.of(apps=..., checks=...)`); others cost no API call.
    waivers: from `load_waivers(path)`; applied to drift findings.
    wait: re-poll pending checks until their deadlines (False: report them pending at once).
    max_wait: caps every check's deadline, in seconds.
    policies: per-kind deadlines and intervals for add-ons, releases and domains.
    router_url: send health requests here with the app's Host header (the local sandbox).
    health_transport: httpx transport for health requests (tests serve the sandbox in-process).
    memo: carry what a scan learned to the next one (see `snapshot.ScanMemo`).
    account_wide_from: from this many apps in scope, read apps, add-ons, attachments and
        couplings once for the account instead of once per app (see `verify.account`).
    read_also: collections (`snapshot.COLLECTIONS`) to read for every app in scope even when no
        selected check needs them, so a caller can build on `VerificationResult.live` without a
        second read (promotion's environment diff compares buildpacks a stack may not declare).
    progress: called with a one-line status while waiting on convergence.
    """

    manifest: Manifest | None = None
    scope: Scope = field(default_factory=Scope)
    waivers: Sequence[Waiver] = ()
    wait: bool = True
    max_wait: float | None = None
    policies: Mapping[str, WaitPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    router_url: str | None = None
    health_transport: httpx.AsyncBaseTransport | None = None
    memo: ScanMemo | None = None
    account_wide_from: int = ACCOUNT_WIDE_FROM
    release_window: int = RELEASE_WINDOW
    read_also: frozenset[str] = frozenset()
    progress: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        unknown = sorted(self.read_also - set(COLLECTIONS))
        if unknown:
            raise ValueError(f"read_also: no collection {', '.join(unknown)} (collections: {', '.join(COLLECTIONS)})")


class _Borrowed(httpx.AsyncBaseTransport):
    """The caller's health transport, lent to this run: closing the run's client must not close it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        return None  # the caller owns the transport


def check_scope(spec: StackSpec, scope: Scope) -> None:
    """ScopeError when `--app` names an app the stack does not declare."""
    if scope.apps is None:
        return
    unknown = sorted(scope.apps - set(spec.apps))
    if unknown:
        raise ScopeError(
            f"--app {', '.join(unknown)}: stack {spec.stack!r} declares no such app (apps: {', '.join(spec.apps)})"
        )


async def run_verification(
    spec: StackSpec, client: HerokuClient, clock: Clock, options: VerifyOptions | None = None
) -> VerificationResult:
    """Verify one stack against Heroku through a read-only `client`; never raises for drift, only for bad input.

    The result carries what was read (`VerificationResult.live`), so a caller needing the same
    state (the promotion gate) does not read it again.
    """
    options = options or VerifyOptions()
    expected = expected_state(spec, options.manifest)
    check_scope(spec, options.scope)
    started_at, start = clock.now(), clock.monotonic()
    before = client.stats
    reader = SnapshotReader(client, memo=options.memo, releases=options.release_window)
    reused_before = options.memo.reused if options.memo is not None else 0

    targets = await _snapshot(expected, reader, options)
    borrowed = None if options.health_transport is None else _Borrowed(options.health_transport)
    health_client = httpx.AsyncClient(transport=borrowed)
    try:
        convergence = Convergence(
            reader=reader,
            clock=clock,
            scope=options.scope,
            targets=targets,
            http=health_client,
            router=options.router_url,
            policies=dict(options.policies),
            max_wait=options.max_wait,
            progress=options.progress,
        )
        for key in targets:
            convergence.recompare(key)
        await convergence.run(wait=options.wait)
    finally:
        await health_client.aclose()

    findings: list[Finding] = []
    for key, app_findings in convergence.results().items():
        target = convergence.targets[key]
        related = {var: addon.name for var, addon in target.expected.provided_vars.items()}
        findings += attribute(app_findings, target.live, related)
    findings = apply_waivers(findings, options.waivers, stack=spec.stack, today=clock.now().date())
    reused = (options.memo.reused if options.memo is not None else 0) - reused_before
    return VerificationResult(
        project=spec.project,
        stack=spec.stack,
        stage=spec.stage,
        started_at=started_at,
        duration_seconds=round(clock.monotonic() - start, 3),
        findings=tuple(sorted(findings, key=sort_key)),
        warnings=(*expected.notes, *_vacuous(expected, options.scope), *_unmatched_patterns(options.scope, findings)),
        api=ApiUsage.between(before, client.stats, reused=reused),
        secrets_checked_by=expected.secrets_checked_by,
        scope=_describe(options.scope),
        live=_read(convergence.targets),
    )


def _read(targets: Mapping[str, Target]) -> LiveStack:
    """What the run read, as convergence last left it (every target holds the stack's one pipeline lookup)."""
    pipeline = next((t.pipeline for t in targets.values()), None)
    return LiveStack(apps={key: target.live for key, target in targets.items()}, pipeline=pipeline)


async def _snapshot(expected: ExpectedStack, reader: SnapshotReader, options: VerifyOptions) -> dict[str, Target]:
    scope = options.scope
    keys = [k for k in expected.apps if scope.kinds(k)]  # a scope that reaches no check of an app costs no call
    needs = {k: collections_for(scope.kinds(k), expected.apps[k]) | options.read_also for k in keys}
    wants_pipeline = any("coupling" in n for n in needs.values())
    pipeline_task = asyncio.ensure_future(reader.pipeline(expected.pipeline)) if wants_pipeline else None
    account = await reader.account(list(needs.values()), options.account_wide_from)
    lives = await asyncio.gather(*(reader.app(expected.apps[k], needs[k], account) for k in keys))
    pipeline: LivePipeline | None = await pipeline_task if pipeline_task is not None else None
    return {
        key: Target(
            project=expected.project, stack=expected.stack, expected=expected.apps[key], live=live, pipeline=pipeline
        )
        for key, live in zip(keys, lives, strict=True)
    }


def add_waiver_warnings(
    results: Sequence[VerificationResult], waivers: Sequence[Waiver], scope: Scope
) -> list[VerificationResult]:
    """The results of one run over one or more stacks, the last one carrying the stale-waiver warnings.

    Waivers are judged over the whole run (a waiver for production is not stale in a staging-only
    result), so this runs once all stacks are verified; a scoped run does not call a waiver unused
    just because its checks were out of scope.
    """
    if not waivers or not results:
        return list(results)
    today = results[0].started_at.date()
    scoped = scope.apps is not None or bool(scope.checks)
    warnings = waiver_warnings(waivers, [(r.stack, r.findings) for r in results], today=today, scoped=scoped)
    last = results[-1]
    return [*results[:-1], replace(last, warnings=(*last.warnings, *warnings))]


def _vacuous(expected: ExpectedStack, scope: Scope) -> list[str]:
    """Checks that would assert nothing: an app serving web traffic with no health check declared."""
    return [
        f"apps.{key} ({app.name}) runs web dynos but declares no `health` check, so nothing proves it serves "
        "requests; add one (path, expected status and JSON, release_field)"
        for key, app in expected.apps.items()
        if "health" in scope.kinds(key)
        and app.health is None
        and any(p.type == "web" and p.quantity for p in app.formation)
    ]


def _unmatched_patterns(scope: Scope, findings: Sequence[Finding]) -> list[str]:
    return [
        f"--check {p.text} matched no check" for p in scope.checks if not any(p.matches(f.check_id) for f in findings)
    ]


def _describe(scope: Scope) -> tuple[str, ...]:
    parts = [f"--app {a}" for a in sorted(scope.apps or ())]
    return tuple(parts + [f"--check {p.text}" for p in scope.checks])
