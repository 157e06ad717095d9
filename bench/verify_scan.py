"""Benchmark: `run_verification` over a generated estate of 100 apps in the sandbox, on loopback, 50 ms latency.

    .venv/bin/python bench/verify_scan.py [--apps 100] [--latency-ms 50] [--concurrency 8]

Deploys one stack of `--apps` apps into a sandbox served by uvicorn in its own process (as Heroku
is on its own machine), the way `pulumi up` would (tests/fixtures/deploy.py): each app with
config vars and a secret, a buildpack, a Redis add-on, a custom domain, a log drain, a feature,
a formation and a pipeline coupling. Then injects `--latency-ms` on every API answer and runs
the real verification twice with one client and one `ScanMemo`, as a long-running drift job
would. For each scan it prints the API requests per app (from the sandbox's own request log),
the 304s, the wall time, and the ratio to the lower bound (requests / concurrency x latency).

Targets (issue 4): at most 12 requests per app on the first scan; fewer on the repeat scan of
unchanged apps; ratio <= 1.5. "Fewer" here is literal: the repeat scan skips the config vars
and attachments of every app whose newest release is unchanged (Heroku releases on every
config var and add-on change), and every other read is a conditional GET answered 304 with no
body. Health checks are off: they go to the apps, not the API, and this measures the API scan.
The sandbox's rate-limit bucket is set far above Heroku's 4,500 so pacing never engages.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_sandbox import admin, sandbox_process
from infra.clock import SystemClock
from infra.heroku import HerokuClient
from infra.spec.models import StackSpec
from infra.verify import ScanMemo, VerificationResult, VerifyOptions, run_verification
from tests.fixtures.deploy import pulumi_up

TOKEN = "bench-token"


def estate(apps: int) -> StackSpec:
    """One staging stack of `apps` apps, each declaring what a typical ShopSentiment-like app does."""
    return StackSpec.model_validate(
        {
            "project": "estate",
            "stack": "staging",
            "stage": "staging",
            "pipeline": "estate",
            "apps": {
                f"app{n:03d}": {
                    "name": f"estate-app-{n:03d}",
                    "buildpacks": ["heroku/python"],
                    "config": {"APP_ENV": "staging", "LOG_LEVEL": "INFO", "WEB_CONCURRENCY": "2"},
                    "secrets": {"SESSION_SECRET": f"bench-secret-{n}"},
                    "addons": [{"plan": "heroku-redis:mini", "name": f"estate-{n:03d}-redis"}],
                    "domains": [{"hostname": f"app{n:03d}.estate.example.com"}],
                    "formation": {"web": {"quantity": 1, "size": "basic"}},
                    "drains": [{"url": "syslog+tls://logs.example.com:6514"}],
                    "features": {"preboot": True},
                    "deploy": {"source_url": "https://example.com/estate.tar.gz", "version": "v1"},
                }
                for n in range(apps)
            },
        },
        context={"secrets_decrypted": True},
    )


@dataclass(frozen=True)
class Scan:
    label: str
    result: VerificationResult
    wall: float
    per_app: Counter[str]  # API requests the sandbox saw, per app name ("(stack)" for the pipeline)
    not_modified: int


async def scan(label: str, base_url: str, heroku: HerokuClient, spec: StackSpec, manifest: Any, memo: ScanMemo) -> Scan:
    admin(base_url, "DELETE", "requests")
    started = time.perf_counter()
    result = await run_verification(spec, heroku, SystemClock(), VerifyOptions(manifest=manifest, memo=memo))
    wall = time.perf_counter() - started
    log = [e for e in admin(base_url, "GET", "requests") if e["target"] == "api"]
    per_app: Counter[str] = Counter(
        e["path"].split("/")[2] if e["path"].startswith("/apps/") else "(stack)" for e in log
    )
    return Scan(label, result, wall, per_app, sum(1 for e in log if e["status"] == 304))


def report(s: Scan, apps: int, concurrency: int, latency: float) -> float:
    requests = sum(s.per_app.values())
    app_counts = [n for name, n in s.per_app.items() if name != "(stack)"]
    bound = requests / concurrency * latency
    ratio = s.wall / bound if bound else float("nan")
    counts = ", ".join(f"{n} {o}" for o, n in s.result.counts.items() if n)
    print(
        f"{s.label}: {requests} API requests ({requests / apps:.2f} per app; per app min {min(app_counts)}, "
        f"max {max(app_counts)}; {s.per_app['(stack)']} for the stack), {s.not_modified} answered 304, "
        f"{s.result.api.reused_from_previous_scan} collections reused; wall {s.wall:.2f}s; lower bound "
        f"{bound:.2f}s ({requests} / {concurrency} x {latency * 1000:.0f} ms); ratio {ratio:.2f}"
    )
    print(f"  verification: exit {s.result.exit_code.value}, {len(s.result.findings)} findings ({counts})")
    return ratio


async def run(args: argparse.Namespace) -> int:
    spec = estate(args.apps)
    latency = args.latency_ms / 1000
    with sandbox_process(token=TOKEN) as base_url:
        started = time.perf_counter()
        async with HerokuClient(base_url=base_url, token=TOKEN, concurrency=8) as writer:
            deployed = await pulumi_up(writer, spec, SystemClock())
        print(f"deployed {args.apps} apps into the sandbox in {time.perf_counter() - started:.1f}s (no latency)")
        admin(base_url, "PUT", "faults", {"latency_ms": args.latency_ms})
        memo = ScanMemo()
        async with HerokuClient(base_url=base_url, token=TOKEN, read_only=True, concurrency=args.concurrency) as h:
            first = await scan("first scan ", base_url, h, spec, deployed.manifest, memo)
            repeat = await scan("repeat scan", base_url, h, spec, deployed.manifest, memo)
    print(
        f"sandbox on loopback (own process), {args.apps} apps, {args.latency_ms} ms latency, "
        f"client concurrency {args.concurrency}"
    )
    ratio = report(first, args.apps, args.concurrency, latency)
    report(repeat, args.apps, args.concurrency, latency)
    first_max = max(n for name, n in first.per_app.items() if name != "(stack)")
    fewer = sum(repeat.per_app.values()) < sum(first.per_app.values())
    clean = first.result.exit_code.value == 0 and repeat.result.exit_code.value == 0
    ok = first_max <= 12 and fewer and ratio <= 1.5 and clean
    print(
        f"targets: <= 12 requests per app ({first_max}), fewer on repeat ({fewer}), ratio <= 1.5 ({ratio:.2f}), "
        f"both scans clean ({clean}) -> {'OK' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
