"""Benchmark: `run_verification` over a generated estate of 100 apps in the sandbox, on loopback, 50 ms latency.

    .venv/bin/python bench/verify_scan.py [--apps 100] [--latency-ms 50] [--concurrency 8]

Deploys one stack of `--apps` apps into a sandbox served by uvicorn in its own process (as Heroku
is on its own machine), the way `pulumi up` would (tests/fixtures/deploy.py): each app with
config vars and a secret, a buildpack, a Redis add-on, a custom domain, a log drain, a feature,
a formation and a pipeline coupling. Then injects `--latency-ms` on every API answer and runs
the real verification three times, as a long-running drift job would:

- once reading every collection per app (`account_wide_from` above the estate), for comparison;
- twice with the account-wide lists (`GET /apps`, `/addons`, `/addon-attachments`,
  `/pipeline-couplings`, see infra/verify/account.py), sharing one client and one `ScanMemo`.

For each scan it prints the API requests per app (from the sandbox's own request log), the
304s, the wall time and the ratio to the lower bound (requests / concurrency x latency), and
the share of Heroku's 4,500 requests an hour it spends; then how many scans an hour fit for
estates of other sizes, from the measured per-app and per-stack counts.

Targets (issue 13): first scan <= 7.5 requests per app and at least a third fewer than per-app
reads; the repeat scan of the unchanged estate <= 7.5 per app with every read answered 304;
ratio <= 1.3; the same findings as the per-app scan. The repeat scan skips the config vars and
attachments of every app whose newest release is unchanged (Heroku releases on every config
var and add-on change). Health checks are off: they go to the apps, not the API. The
sandbox's rate-limit bucket is set far above Heroku's 4,500 so pacing never engages.
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
from infra.verify.account import ACCOUNT_WIDE_FROM
from tests.fixtures.deploy import pulumi_up
from tests.fixtures.estate import estate

TOKEN = "bench-token"
HOURLY_BUDGET = 4_500  # Heroku's requests per hour per account
PER_APP = 10**9  # an `account_wide_from` no estate reaches: every collection read per app


@dataclass(frozen=True)
class Scan:
    label: str
    result: VerificationResult
    wall: float
    per_app: Counter[str]  # API requests the sandbox saw, per app name ("(stack)" for the pipeline)
    not_modified: int


async def scan(
    label: str, base_url: str, heroku: HerokuClient, spec: StackSpec, manifest: Any, memo: ScanMemo, threshold: int
) -> Scan:
    admin(base_url, "DELETE", "requests")
    started = time.perf_counter()
    options = VerifyOptions(manifest=manifest, memo=memo, account_wide_from=threshold)
    result = await run_verification(spec, heroku, SystemClock(), options)
    wall = time.perf_counter() - started
    log = [e for e in admin(base_url, "GET", "requests") if e["target"] == "api"]
    per_app: Counter[str] = Counter(
        e["path"].split("/")[2] if e["path"].startswith("/apps/") else "(stack)" for e in log
    )
    return Scan(label, result, wall, per_app, sum(1 for e in log if e["status"] == 304))


def requests_of(s: Scan) -> int:
    return sum(s.per_app.values())


def report(s: Scan, apps: int, concurrency: int, latency: float) -> float:
    requests = requests_of(s)
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
    print(
        f"  budget: {requests} of {HOURLY_BUDGET:,} requests an hour ({requests / HOURLY_BUDGET:.1%}), "
        f"{HOURLY_BUDGET // requests} such scans an hour"
    )
    print(f"  verification: exit {s.result.exit_code.value}, {len(s.result.findings)} findings ({counts})")
    return ratio


def outcomes(s: Scan) -> dict[str, str]:
    return {f.check_id: f.outcome.value for f in s.result.findings}


def scans_per_hour(first: Scan, repeat: Scan) -> None:
    """How many scans an hour fit for other estates, from this run's per-app and per-stack counts."""
    apps = len([n for n in first.per_app if n != "(stack)"])
    first_app = (requests_of(first) - first.per_app["(stack)"]) / apps
    repeat_app = (requests_of(repeat) - repeat.per_app["(stack)"]) / apps
    print("scans an hour within 4,500 requests, by estate size (account lists page at 1,000 apps):")
    for n in (10, 50, 100, 250, 500, 1000):
        pages = -(-n // 1000)
        stack = first.per_app["(stack)"] + (pages - 1) * 4
        first_n, repeat_n = stack + first_app * n, stack + repeat_app * n
        print(
            f"  {n:>5} apps: first scan {first_n:>6.0f} requests ({HOURLY_BUDGET / first_n:>5.1f} an hour), "
            f"repeat {repeat_n:>6.0f} ({HOURLY_BUDGET / repeat_n:>5.1f} an hour)"
        )


async def run(args: argparse.Namespace) -> int:
    spec = estate(args.apps)
    latency = args.latency_ms / 1000
    with sandbox_process(token=TOKEN) as base_url:
        started = time.perf_counter()
        async with HerokuClient(base_url=base_url, token=TOKEN, concurrency=8) as writer:
            deployed = await pulumi_up(writer, spec, SystemClock())
        print(f"deployed {args.apps} apps into the sandbox in {time.perf_counter() - started:.1f}s (no latency)")
        admin(base_url, "PUT", "faults", {"latency_ms": args.latency_ms})
        async with HerokuClient(base_url=base_url, token=TOKEN, read_only=True, concurrency=args.concurrency) as h:
            per_app = await scan("per-app scan", base_url, h, spec, deployed.manifest, ScanMemo(), PER_APP)
        memo = ScanMemo()
        async with HerokuClient(base_url=base_url, token=TOKEN, read_only=True, concurrency=args.concurrency) as h:
            first = await scan("first scan  ", base_url, h, spec, deployed.manifest, memo, args.account_wide_from)
            repeat = await scan("repeat scan ", base_url, h, spec, deployed.manifest, memo, args.account_wide_from)
    print(
        f"sandbox on loopback (own process), {args.apps} apps, {args.latency_ms} ms latency, "
        f"client concurrency {args.concurrency}, account-wide lists from {args.account_wide_from} apps"
    )
    report(per_app, args.apps, args.concurrency, latency)
    ratio = report(first, args.apps, args.concurrency, latency)
    repeat_ratio = report(repeat, args.apps, args.concurrency, latency)
    scans_per_hour(first, repeat)
    first_per_app, repeat_per_app = requests_of(first) / args.apps, requests_of(repeat) / args.apps
    saved = 1 - requests_of(first) / requests_of(per_app)
    all_304 = repeat.not_modified == requests_of(repeat)
    same = outcomes(first) == outcomes(per_app) == outcomes(repeat)
    clean = all(s.result.exit_code.value == 0 for s in (per_app, first, repeat))
    worst = max(ratio, repeat_ratio)
    ok = first_per_app <= 7.5 and repeat_per_app <= 7.5 and saved >= 1 / 3 and all_304 and worst <= 1.3
    ok = ok and same and clean
    print(
        f"targets: first <= 7.5 per app ({first_per_app:.2f}), repeat <= 7.5 per app ({repeat_per_app:.2f}), "
        f"a third fewer than per-app ({saved:.0%} fewer), repeat all 304 ({all_304}), ratio <= 1.3 ({worst:.2f}), "
        f"same findings as per-app ({same}), all clean ({clean}) -> {'OK' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--account-wide-from", type=int, default=ACCOUNT_WIDE_FROM)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
