"""Verification, as the gate and post-flight ask for it: one `run_verification` per stack, reduced to a `StackCheck`.

The verifier ties each health check to the app's *current* release (the body must report
``v<version>``), so after a promotion or a rollback, a healthy answer from dynos still on
the old build fails, as it should. Health findings (kind ``health``) say whether the stack
is healthy; every other failed finding (drift, error, pending) says it is not drift-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from infra.clock import Clock
from infra.heroku import HerokuClient
from infra.promote.gate import StackCheck
from infra.spec.manifest import Manifest
from infra.spec.models import StackSpec
from infra.verify.findings import Finding
from infra.verify.run import VerifyOptions, run_verification


class VerificationAdapter:
    """`StackVerifier` over `infra.verify.run_verification`, through the promotion's read-only client.

    manifests: stack name -> the `manifest` stack output, so secrets are compared by fingerprint.
    router_url / health_transport: where health requests go (the sandbox in tests and rehearsals).
    max_wait: caps every check's deadline (`--health-deadline`); None keeps each stack's own.
    progress: a line each time verification waits (what for, time left), so a promotion is never silent.
    """

    def __init__(
        self,
        client: HerokuClient,
        *,
        clock: Clock,
        manifests: Mapping[str, Manifest] | None = None,
        router_url: str | None = None,
        health_transport: httpx.AsyncBaseTransport | None = None,
        max_wait: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self._client = client
        self._clock = clock
        self._manifests = dict(manifests or {})
        self._router_url = router_url
        self._health_transport = health_transport
        self._max_wait = max_wait
        self._progress = progress

    async def verify(self, spec: StackSpec, *, read_also: frozenset[str] = frozenset()) -> StackCheck:
        options = VerifyOptions(
            manifest=self._manifests.get(spec.stack),
            router_url=self._router_url,
            health_transport=self._health_transport,
            read_also=read_also,
            max_wait=self._max_wait,
            progress=None if self._progress is None else self._stack_progress(spec.stack),
        )
        result = await run_verification(spec, self._client, self._clock, options)
        failed = result.failures
        problems = tuple(_line(f) for f in failed)
        return StackCheck(
            stack=spec.stack,
            drift_free=not any(f.kind not in ("health", "http") for f in failed),
            healthy=not any(f.kind in ("health", "http") for f in failed),
            problems=problems,
            checks=len(result.findings),
            live=result.live,
        )

    def _stack_progress(self, stack: str) -> Callable[[str], None]:
        progress = self._progress
        assert progress is not None
        return lambda line: progress(f"  {stack}: {line}")


def _line(finding: Finding) -> str:
    """One line per failed finding: its check id and summary, and who changed it when the log says."""
    who = f" ({finding.attribution.note})" if finding.attribution is not None and finding.attribution.version else ""
    return f"{finding.check_id}: {finding.summary}{who}"
