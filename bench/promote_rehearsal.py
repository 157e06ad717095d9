"""Benchmark: a full `heroku-stack promote` rehearsal of ShopSentiment on the sandbox, loopback, 50 ms latency.

    .venv/bin/python bench/promote_rehearsal.py [--latency-ms 50] [--runs 3]

Serves the sandbox in its own process (as Heroku is on its own machine), plays `pulumi up` of the
project's staging and production stacks into it (tests/fixtures/deploy.py), pushes a newer build
to staging, injects `--latency-ms` on every Platform API answer, then runs the real promotion:
gate (environment diff, verification of both stacks with health checks, couplings), promotion,
polling, release and slug check, post-flight. Health requests go to the sandbox's router (not the
API, so they carry no injected latency). Prints, per journal step, its API calls (from the
journal's request records) and time, then the total. Each run starts from a fresh sandbox.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_sandbox import admin, sandbox_process
from bench.verify_scan import TOKEN
from infra.clock import SystemClock
from infra.heroku import HerokuClient
from infra.promote.env import open_env
from infra.promote.journal import Journal
from infra.promote.run import PromoteRequest, promote
from infra.promote.session import Timing
from infra.spec.loader import load_stack
from tests.fixtures.deploy import pulumi_up
from tests.fixtures.promote import SECRET_VALUES, deploy_build, with_secrets

PROJECT = Path(__file__).resolve().parents[1]
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def rehearse(latency_ms: int) -> tuple[Journal, float, int]:
    """One promotion on a fresh sandbox; (journal, wall seconds, health requests)."""
    with sandbox_process(token=TOKEN) as base_url, tempfile.TemporaryDirectory() as journals:
        clock = SystemClock()
        async with HerokuClient(base_url=base_url, token=TOKEN) as heroku:
            for stack in ("staging", "production"):
                await pulumi_up(heroku, with_secrets(load_stack(stack, PROJECT), SECRET_VALUES[stack]), clock)
            await deploy_build(heroku, "shopsentiment-staging", "v1.1.0", clock)
        admin(base_url, "PUT", "faults", {"latency_ms": latency_ms})
        admin(base_url, "DELETE", "requests")
        request = PromoteRequest(project_dir=PROJECT, journal_dir=Path(journals))
        lines: list[str] = []
        started = time.perf_counter()
        async with open_env(
            timing=Timing(), clock=clock, base_url=base_url, token=TOKEN, router_url=base_url, out=lines.append
        ) as env:
            result = await promote(request, env, lambda question: True)
        wall = time.perf_counter() - started
        health = sum(1 for e in admin(base_url, "GET", "requests") if e["target"] == "app")
    if result.journal is None or result.outcome is None or result.outcome.value != "succeeded":
        raise RuntimeError(f"the rehearsal did not promote: {result.message}")
    return result.journal, wall, health


def calls(journal: Journal, step: str) -> Counter[str]:
    found = next(s for s in journal.steps if s.name == step)
    return Counter(f"{r.method} {_UUID.sub('{id}', r.path)}" for r in found.requests)


def report(journal: Journal, wall: float, health: int) -> None:
    total = 0
    for step in journal.steps:
        count = len(step.requests)
        total += count
        print(f"  {step.name:<16} {count:>3} API calls  {step.duration_seconds or 0:>6.2f}s")
        for call, n in sorted(calls(journal, step.name).items()):
            print(f"      {n:>2} x {call}")
    print(f"  total: {total} API calls, {health} health requests to the apps, wall {wall:.2f}s")


async def run(args: argparse.Namespace) -> int:
    walls = []
    for index in range(args.runs):
        journal, wall, health = await rehearse(args.latency_ms)
        walls.append(wall)
        if index == 0:
            print(f"promotion rehearsal: ShopSentiment staging -> production, sandbox on loopback, "
                  f"{args.latency_ms} ms API latency")  # fmt: skip
            report(journal, wall, health)
    spread = f" (runs: {', '.join(f'{w:.2f}' for w in walls)})" if len(walls) > 1 else ""
    print(f"full promotion wall time: median {statistics.median(walls):.2f}s over {len(walls)} runs{spread}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
