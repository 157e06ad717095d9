"""What a promotion runs against: its clients, request recorder, clock, verifier and output.

`open_env` opens them for a real run (the CLI) or a test's sandbox: a read-only client for
everything, and a write-mode client opened only when a write is due (after confirmation).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from infra.clock import Clock, SystemClock
from infra.heroku import HerokuClient
from infra.heroku.credentials import resolve_base_url
from infra.promote.heroku_calls import PromotionReads, PromotionWrites, RequestRecorder
from infra.promote.journal import Journal, JournalStore
from infra.promote.session import Output, Session, StackVerifier, Timing
from infra.promote.verification import VerificationAdapter
from infra.spec.manifest import Manifest
from infra.verify.health import choose_router


@dataclass(frozen=True)
class PromoteEnv:
    """The edges a promotion runs against: clients, recorder, clock, verifier, output."""

    reads: PromotionReads
    open_writes: Callable[[], PromotionWrites]
    recorder: RequestRecorder
    clock: Clock
    verifier: StackVerifier
    out: Output
    timing: Timing = field(default_factory=Timing)
    progress: Callable[[str], None] | None = None  # a line each time the promotion waits on Heroku

    def session(self, journal: Journal, store: JournalStore | None) -> Session:
        return Session(
            journal=journal,
            store=store,
            reads=self.reads,
            recorder=self.recorder,
            clock=self.clock,
            timing=self.timing,
            verifier=self.verifier,
            open_writes=self.open_writes,
            progress=self.progress,
            out=self.out,
        )


@asynccontextmanager
async def open_env(
    *,
    timing: Timing,
    clock: Clock | None = None,
    base_url: str | None = None,
    token: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    router_url: str | None = None,
    health_transport: httpx.AsyncBaseTransport | None = None,
    manifests: Mapping[str, Manifest] | None = None,
    out: Callable[[str], None] = print,
    health_deadline: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> AsyncIterator[PromoteEnv]:
    """Clients for a promotion: read-only for everything, write mode opened only when a write is due.

    `base_url` and `token` default to HEROKU_API_URL / HEROKU_API_KEY / netrc, like every
    command; `transport` (the sandbox's in-process one in tests) defaults to real HTTP.
    `router_url` (else HEROKU_STACK_ROUTER_URL) / `health_transport` route health checks, as
    `heroku-stack verify` does: the sandbox's router answers apps by Host header.
    """
    clock = clock or SystemClock()
    recorder = RequestRecorder()
    router = choose_router(router_url, api_url=resolve_base_url(base_url))
    if router is not None and progress is not None:
        progress(router.describe())

    def client(*, read_only: bool) -> HerokuClient:
        return HerokuClient(
            base_url=base_url, token=token, read_only=read_only, clock=clock, transport=recorder.transport(transport)
        )

    reader = client(read_only=True)
    writers: list[HerokuClient] = []

    def open_writes() -> PromotionWrites:
        if not writers:
            writers.append(client(read_only=False))
        return PromotionWrites(writers[0])

    try:
        yield PromoteEnv(
            reads=PromotionReads(reader),
            open_writes=open_writes,
            recorder=recorder,
            clock=clock,
            verifier=VerificationAdapter(
                reader,
                clock=clock,
                manifests=manifests,
                router_url=router.url if router else None,
                health_transport=health_transport,
                max_wait=health_deadline,
                progress=progress,
            ),
            out=out,
            timing=timing,
            progress=progress,
        )
    finally:
        for opened in (reader, *writers):
            await opened.aclose()
