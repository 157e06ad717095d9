"""Benchmark: `heroku-stack rehearse` of ShopSentiment's staging and production stacks on the sandbox.

    .venv/bin/python bench/rehearse_stack.py [--latency-ms 0 50] [--runs 3]

Serves the sandbox in its own process (as Heroku is on its own machine), then rehearses
`pulumi up` of staging and of production (`infra.rehearse.rehearse`: the offline plan under the
mock engine, the diff against the stack's rehearsed state, then every resource with the
provider's requests), then both again unchanged (a second `pulumi up`). Each latency setting and
run starts from a fresh sandbox, once with the engine's default parallelism and once one resource
at a time. Prints per stack and step the API requests, the writes among them, and the median wall
time over the runs (plan included).
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
from infra.rehearse.run import DEFAULT_PARALLEL
from infra.spec import load_stack

TOKEN = "bench-token"
STACKS = ("staging", "production")
STEPS = ("first", "repeat")

Figures = dict[tuple[str, str], tuple[float, int, int]]


async def one_run(base_url: str, parallel: int) -> Figures:
    """Rehearse both stacks, then both again; per (stack, step): wall seconds, API requests, writes."""
    clock = SystemClock()
    figures: Figures = {}
    async with HerokuClient(base_url=base_url, token=TOKEN, clock=clock) as heroku:
        for step in STEPS:
            for stack in STACKS:
                writes_before = _writes(heroku)
                started = time.perf_counter()
                done = await rehearse(heroku, load_stack(stack, PROJECT), clock, parallel=parallel)
                figures[(stack, step)] = (time.perf_counter() - started, done.requests, _writes(heroku) - writes_before)
    return figures


def _writes(heroku: HerokuClient) -> int:
    return sum(n for method, n in heroku.stats.by_method.items() if method not in ("GET", "HEAD"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 50])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for latency in args.latency_ms:
        for mode, parallel in (("parallel", DEFAULT_PARALLEL), ("one at a time", 1)):
            runs: list[Figures] = []
            for _ in range(args.runs):
                with sandbox_process(token=TOKEN) as base_url:
                    admin(base_url, "PUT", "faults", {"latency_ms": latency})
                    runs.append(asyncio.run(one_run(base_url, parallel)))
            for step in STEPS:
                for stack in STACKS:
                    walls = [run[(stack, step)][0] for run in runs]
                    _, requests, writes = runs[0][(stack, step)]
                    shown = ", ".join(f"{w:.2f}" for w in walls)
                    print(
                        f"{stack:<10} {step:<6} {latency:>3} ms latency, {mode} ({parallel}): {requests} API requests "
                        f"({writes} writes), median {statistics.median(walls):.2f}s over {len(walls)} runs ({shown})"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
