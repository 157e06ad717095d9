"""Running a promotion against the in-process sandbox, with every line it prints captured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from infra.cli.promote_cmd import open_env
from infra.clock import FakeClock
from infra.promote.journal import Journal, JournalStore
from infra.promote.run import Confirm, PromoteRequest, PromotionResult, promote
from infra.promote.session import Timing
from infra.sandbox.context import Sandbox
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN

TIMING = Timing(promotion_deadline=60, release_deadline=60)


def yes(question: str) -> bool:
    return True


async def run_promotion(
    project: Path,
    transport: httpx.AsyncBaseTransport,
    clock: FakeClock,
    *,
    confirm: Confirm = yes,
    timing: Timing = TIMING,
    out: list[str] | None = None,
    on_line: Callable[[str], None] | None = None,
    **options: object,
) -> PromotionResult:
    """`promote` on `project` against the sandbox behind `transport`; raises what it raises."""
    request = PromoteRequest(project_dir=project, journal_dir=project / ".heroku-stack" / "promotions", **options)  # type: ignore[arg-type]
    sink = out if out is not None else []

    def show(line: str) -> None:
        sink.append(line)
        if on_line is not None:
            on_line(line)

    async with open_env(
        timing=timing,
        clock=clock,
        base_url=SANDBOX_BASE_URL,
        token=SANDBOX_TOKEN,
        transport=transport,
        router_url=SANDBOX_BASE_URL,
        health_transport=transport,
        out=show,
    ) as env:
        return await promote(request, env, confirm)


def writes(sandbox: Sandbox) -> list[tuple[str, str, int]]:
    """Every write request the sandbox received (method, path, status), oldest first."""
    return [(r.method, r.path, r.status) for r in sandbox.requests.snapshot() if r.method not in ("GET", "HEAD")]


def journal_of(project: Path) -> Journal:
    """The one journal the promotion wrote under `project`."""
    (journal,) = JournalStore(project / ".heroku-stack" / "promotions").all()
    return journal


def steps(journal: Journal) -> list[tuple[str, str | None]]:
    return [(s.name, s.result) for s in journal.steps]


async def current_release(client: httpx.AsyncClient, app: str) -> dict[str, Any]:
    releases = (await client.get(f"/apps/{app}/releases", headers={"Range": "version ..; max=10,order=desc"})).json()
    current: dict[str, Any] = next(r for r in releases if r["current"])
    return current
