"""Benchmark: the client scanning 100 apps x every collection the verifier reads, through the sandbox on loopback.

    .venv/bin/python bench/client_scan.py [--apps 100] [--latency-ms 50] [--concurrency 8]

Sets up `--apps` apps in a sandbox served by uvicorn on a loopback port, in its own process as
Heroku is on its own machine (`--in-thread` serves it from a thread of this process instead,
where it competes with the client for the GIL), each with config vars,
a buildpack, a Redis add-on and its attachment, a custom domain, a log drain, a feature flag and
a pipeline coupling), then injects `--latency-ms` on every API answer and reads, per app, the 11
collections verification reads: app, config-vars, addons, addon-attachments, domains,
buildpack-installations, formation, log-drains, features, pipeline-couplings and the newest
releases. It prints the requests made, the wall time and its ratio to the lower bound
(requests / concurrency x latency; target <= 1.3), checks from the sandbox's own request log that
the scan sent exactly one request per read (no retries, no page beyond the first, no duplicates),
then repeats the scan on the same client to show the ETag cache turning reads into 304s.

The sandbox runs with a bucket far above Heroku's 4,500 so that pacing never engages: this
measures the client's overhead, not the rate limit (tests cover pacing).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_sandbox import admin, sandbox_process
from infra.heroku import ClientStats, HerokuClient
from infra.sandbox import BackgroundServer, RateLimit, SandboxConfig, create_app

TOKEN = "bench-token"
RELEASE_WINDOW = 25  # what verification reads: the newest releases, one page


def collection_reads(heroku: HerokuClient, app: str) -> list[Coroutine[Any, Any, Any]]:
    """The reads verification makes for one app, one request each."""
    base = f"/apps/{app}"
    return [
        heroku.get(base),
        heroku.get(f"{base}/config-vars"),
        heroku.get_list(f"{base}/addons"),
        heroku.get_list(f"{base}/addon-attachments"),
        heroku.get_list(f"{base}/domains"),
        heroku.get_list(f"{base}/buildpack-installations"),
        heroku.get_list(f"{base}/formation"),
        heroku.get_list(f"{base}/log-drains"),
        heroku.get_list(f"{base}/features"),
        heroku.get(f"{base}/pipeline-couplings"),
        heroku.get_list(f"{base}/releases", sort="version", order="desc", limit=RELEASE_WINDOW),
    ]


READS_PER_APP = 11


async def set_up(base_url: str, apps: list[str]) -> None:
    async with HerokuClient(base_url=base_url, token=TOKEN, concurrency=8) as heroku:
        pipeline = await heroku.post("/pipelines", json={"name": "bench-pipeline"})

        async def one(app: str) -> None:
            await heroku.post("/apps", json={"name": app})
            await heroku.patch(f"/apps/{app}/config-vars", json={"APP_ENV": "staging", "LOG_LEVEL": "INFO"})
            await heroku.put(f"/apps/{app}/buildpack-installations", json={"updates": [{"buildpack": "heroku/python"}]})
            await heroku.post(f"/apps/{app}/addons", json={"plan": "heroku-redis:mini"})
            await heroku.post(f"/apps/{app}/domains", json={"hostname": f"{app}.example.com", "sni_endpoint": None})
            await heroku.post(f"/apps/{app}/log-drains", json={"url": "syslog+tls://logs.example.com:6514"})
            await heroku.patch(f"/apps/{app}/features/preboot", json={"enabled": True})
            await heroku.post("/pipeline-couplings", json={"app": app, "pipeline": pipeline["id"], "stage": "staging"})

        await asyncio.gather(*(one(app) for app in apps))


@dataclass(frozen=True)
class ScanResult:
    wall: float
    stats: ClientStats


async def scan(heroku: HerokuClient, apps: list[str]) -> ScanResult:
    before = heroku.stats
    started = time.perf_counter()
    await asyncio.gather(*(read for app in apps for read in collection_reads(heroku, app)))
    wall = time.perf_counter() - started
    after = heroku.stats
    delta = ClientStats(
        requests=after.requests - before.requests,
        by_method={m: n - before.by_method.get(m, 0) for m, n in after.by_method.items()},
        not_modified=after.not_modified - before.not_modified,
        retries=after.retries - before.retries,
        rate_limited=after.rate_limited - before.rate_limited,
        server_errors=after.server_errors - before.server_errors,
        transport_errors=after.transport_errors - before.transport_errors,
        rate_limit_remaining=after.rate_limit_remaining,
        waited_seconds=after.waited_seconds - before.waited_seconds,
    )
    return ScanResult(wall, delta)


def sandbox_config() -> SandboxConfig:
    return SandboxConfig(tokens=frozenset({TOKEN}), seed=1, rate_limit=RateLimit(capacity=1_000_000))


@contextmanager
def sandbox_thread() -> Iterator[str]:
    with BackgroundServer(create_app(sandbox_config())) as server:
        yield server.base_url


def report(label: str, result: ScanResult, concurrency: int, latency: float) -> float:
    s = result.stats
    bound = s.requests / concurrency * latency
    ratio = result.wall / bound if bound else float("nan")
    print(
        f"{label}: {s.requests} requests ({s.not_modified} answered 304, {s.retries} retries, "
        f"{s.rate_limited} 429s) in {result.wall:.2f}s; lower bound {bound:.2f}s "
        f"({s.requests} / {concurrency} x {latency * 1000:.0f} ms); ratio {ratio:.2f}"
    )
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--in-thread", action="store_true", help="serve the sandbox from a thread of this process")
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


async def run(args: argparse.Namespace) -> int:
    apps = [f"bench-app-{n:03d}" for n in range(args.apps)]
    latency = args.latency_ms / 1000
    where = "a thread of this process" if args.in_thread else "its own process"
    with sandbox_thread() if args.in_thread else sandbox_process(token=TOKEN) as base_url:
        await set_up(base_url, apps)
        admin(base_url, "PUT", "faults", {"latency_ms": args.latency_ms})
        admin(base_url, "DELETE", "requests")
        async with HerokuClient(base_url=base_url, token=TOKEN, read_only=True, concurrency=args.concurrency) as heroku:
            first = await scan(heroku, apps)
            log = admin(base_url, "GET", "requests")
            second = await scan(heroku, apps)
    assert isinstance(log, list)
    expected = args.apps * READS_PER_APP
    sent = Counter((e["method"], e["path"]) for e in log if e["target"] == "api")
    duplicates = sum(n - 1 for n in sent.values() if n > 1)
    not_ok = sum(1 for e in log if e["target"] == "api" and e["status"] not in (200, 206))
    print(
        f"sandbox on loopback ({where}), {args.apps} apps x {READS_PER_APP} reads, "
        f"{args.latency_ms} ms latency, concurrency {args.concurrency}"
    )
    ratio = report("first scan ", first, args.concurrency, latency)
    report("repeat scan", second, args.concurrency, latency)
    print(
        f"requests the sandbox saw in the first scan: {sum(sent.values())} (needed {expected}); "
        f"repeated (method, path): {duplicates}; answers other than 200/206: {not_ok}"
    )
    unneeded = sum(sent.values()) != expected or duplicates or first.stats.requests != expected
    verdict = "OK" if ratio <= 1.3 and not unneeded else "MISSED"
    print(f"target: ratio <= 1.3 and no unneeded request -> {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
