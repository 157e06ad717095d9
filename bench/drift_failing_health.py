"""Benchmark: scheduled drift over ShopSentiment's estate while production's health check fails.

    .venv/bin/python bench/drift_failing_health.py

Both stacks are deployed into an in-process sandbox on a fake clock; production's app then
answers 503. Each mode runs the verification `drift` runs, and prints the time it would take on
a real clock (the fake clock's seconds: every wait is a sleep on it), the wall time, and the
health check's attempts:

- `drift` (a snapshot, the default): each health URL asked once;
- `drift --wait` (what `drift` did before: wait like `verify` after `pulumi up`).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.clock import FakeClock
from infra.heroku import HerokuClient
from infra.sandbox import SandboxConfig, SandboxTransport, create_app
from infra.sandbox.admin import install_http_behaviour
from infra.sandbox.router import HttpBehaviour
from infra.spec.loader import load_stack
from infra.verify.run import VerifyOptions, run_verification
from tests.fixtures.deploy import pulumi_up
from tests.fixtures.promote import SECRET_VALUES, with_secrets

PROJECT = Path(__file__).resolve().parents[1]
BASE = "http://sandbox.localhost"
TOKEN = "bench"


async def run(*, wait: bool) -> tuple[float, float, int, int]:
    clock = FakeClock()
    app = create_app(SandboxConfig(tokens=frozenset({TOKEN}), clock=clock))
    transport = SandboxTransport(app)
    manifests = {}
    async with HerokuClient(base_url=BASE, token=TOKEN, transport=transport, clock=clock) as heroku:
        for stack in ("staging", "production"):
            spec = with_secrets(load_stack(stack, PROJECT), SECRET_VALUES[stack])
            manifests[stack] = (await pulumi_up(heroku, spec, clock)).manifest
    install_http_behaviour(app.state.sandbox, "shopsentiment-production", HttpBehaviour(unhealthy=True))
    started_clock, started_wall = clock.monotonic(), time.perf_counter()
    attempts = checks = 0
    async with HerokuClient(base_url=BASE, token=TOKEN, transport=transport, clock=clock, read_only=True) as reader:
        for stack in ("staging", "production"):
            options = VerifyOptions(manifest=manifests[stack], wait=wait, router_url=BASE, health_transport=transport)
            result = await run_verification(load_stack(stack, PROJECT), reader, clock, options)
            checks += len(result.findings)
            attempts += sum(f.attempts for f in result.findings if f.kind == "health" and f.outcome.value != "pass")
    return clock.monotonic() - started_clock, time.perf_counter() - started_wall, attempts, checks


def main() -> None:
    print(f"{'mode':<36} {'checks':>6} {'real-clock s':>12} {'wall s':>7} {'failing health asked':>21}")
    for label, wait in (("drift (snapshot, the default)", False), ("drift --wait (the old behaviour)", True)):
        simulated, wall, attempts, checks = asyncio.run(run(wait=wait))
        print(f"{label:<36} {checks:>6} {simulated:>12.1f} {wall:>7.2f} {attempts:>21}")


if __name__ == "__main__":
    main()
