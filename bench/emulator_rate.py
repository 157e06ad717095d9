"""Benchmark: the sandbox's request rate on loopback, and its latency percentiles.

    .venv/bin/python bench/emulator_rate.py [--requests 3000] [--concurrency 1 8 32] [--apps 20]

Starts `heroku-stack sandbox --port 0 --state :memory:` in its own process (as Heroku runs on
its own machine; a thread here would share the GIL with the client), creates `--apps` apps,
then for each concurrency level sends `--requests` requests over keep-alive connections: a mix
like verification and the provider make (GET app, GET config vars, GET newest release; one in
ten a config-var PATCH, which writes a release). Prints requests/s and latency p50/p90/p99/max.
The rate-limit bucket is set far above Heroku's 4,500 so it never refuses.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_sandbox import BENCH_TOKEN, sandbox_process

HEADERS = {"Accept": "application/vnd.heroku+json; version=3", "Authorization": f"Bearer {BENCH_TOKEN}"}
NEWEST = {"Range": "version ..; max=1,order=desc"}


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, round(share * (len(sorted_values) - 1)))
    return sorted_values[index]


async def setup(base_url: str, apps: int) -> list[str]:
    names = [f"bench-{n:03d}" for n in range(apps)]
    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS) as client:
        for name in names:
            (await client.post("/apps", json={"name": name})).raise_for_status()
            (await client.patch(f"/apps/{name}/config-vars", json={"APP_ENV": "bench"})).raise_for_status()
    return names


async def run_level(base_url: str, names: list[str], requests: int, concurrency: int) -> tuple[float, list[float]]:
    """Wall seconds and per-request latencies for `requests` requests at `concurrency` in flight."""
    latencies: list[float] = []
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        for n in counter:
            app = names[n % len(names)]
            kind = n % 10
            started = time.perf_counter()
            if kind == 9:
                response = await client.patch(f"/apps/{app}/config-vars", json={"N": str(n)})
            elif kind % 3 == 0:
                response = await client.get(f"/apps/{app}")
            elif kind % 3 == 1:
                response = await client.get(f"/apps/{app}/config-vars")
            else:
                response = await client.get(f"/apps/{app}/releases", headers=NEWEST)
            latencies.append(time.perf_counter() - started)
            assert response.status_code in (200, 206), response.text

    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS, limits=limits, timeout=30) as client:
        await client.get("/account")  # open a connection before the clock starts
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return wall, sorted(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--apps", type=int, default=20)
    args = parser.parse_args()
    with sandbox_process() as base_url:
        names = asyncio.run(setup(base_url, args.apps))
        print(f"sandbox {base_url}: {args.apps} apps; {args.requests} requests per level (90% GET, 10% PATCH)")
        print(
            f"{'concurrency':>11} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'mean ms':>8}"
        )
        for concurrency in args.concurrency:
            wall, latencies = asyncio.run(run_level(base_url, names, args.requests, concurrency))
            ms = [v * 1000 for v in latencies]
            print(
                f"{concurrency:>11} {args.requests / wall:>8.0f} {percentile(ms, 0.5):>7.1f} "
                f"{percentile(ms, 0.9):>7.1f} {percentile(ms, 0.99):>7.1f} {ms[-1]:>7.1f} {statistics.fmean(ms):>8.1f}"
            )


if __name__ == "__main__":
    main()
