"""Benchmark: `heroku-stack rehearse` of ShopSentiment's staging and production stacks on the sandbox.

    .venv/bin/python bench/rehearse_stack.py [--latency-ms 0 50] [--runs 3]

Serves the sandbox in its own process (as Heroku is on its own machine), then rehearses
`pulumi up` of staging and of production (`infra.rehearse.rehearse`: the offline plan under
the mock engine, then every resource with the provider's requests), once per latency setting
and run, each run on a fresh sandbox. Prints the wall time of each stack's rehearsal (plan
included), its API requests, and the median over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_sandbox import PROJECT, admin, sandbox_process
from infra.clock import SystemClock
from infra.heroku import HerokuClient
from infra.rehearse import rehearse
from infra.spec import load_stack

TOKEN = "bench-token"
STACKS = ("staging", "production")


async def one_run(base_url: str) -> dict[str, tuple[float, int]]:
    """Rehearse both stacks; per stack (wall seconds, API requests)."""
    clock = SystemClock()
    figures: dict[str, tuple[float, int]] = {}
    async with HerokuClient(base_url=base_url, token=TOKEN, clock=clock) as heroku:
        for stack in STACKS:
            started = time.perf_counter()
            done = await rehearse(heroku, load_stack(stack, PROJECT), clock)
            figures[stack] = (time.perf_counter() - started, done.requests)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 50])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for latency in args.latency_ms:
        runs: list[dict[str, tuple[float, int]]] = []
        for _ in range(args.runs):
            with sandbox_process(token=TOKEN) as base_url:
                admin(base_url, "PUT", "faults", {"latency_ms": latency})
                runs.append(asyncio.run(one_run(base_url)))
        for stack in STACKS:
            walls = [run[stack][0] for run in runs]
            requests = runs[0][stack][1]
            shown = ", ".join(f"{w:.2f}" for w in walls)
            print(
                f"{stack:<10} {latency:>3} ms latency: {requests} API requests, "
                f"median {statistics.median(walls):.2f}s over {len(walls)} runs ({shown})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
