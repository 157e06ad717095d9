"""Benchmark: promotions under lost answers and races, on the sandbox over loopback; promotions sent per run.

    .venv/bin/python bench/promote_faults.py

Each scenario starts from a fresh sandbox in its own process with ShopSentiment deployed and
staging one build ahead, then runs the real `promote` and counts the `POST /pipeline-promotions`
the sandbox received (its request log), the outcome, and the wall time:

- answer lost after the promotion was applied (`drop_after_apply`), promotion completes at once;
- answer lost after apply, the promotion completing 5 s later (found by watching releases);
- answer lost before Heroku got it (`drop_burst` on the POST): reported, never resent;
- two `promote --yes` at once in one process (the lock refuses the second);
- two `heroku-stack promote --yes` processes at once (the lock, or production re-read, stops one).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_sandbox import admin, sandbox_process
from bench.verify_scan import TOKEN
from infra.clock import SystemClock
from infra.errors import PromotionError
from infra.heroku import HerokuClient
from infra.promote.env import open_env
from infra.promote.run import PromoteRequest, promote
from infra.promote.session import Timing
from infra.spec.loader import load_stack
from tests.fixtures.deploy import pulumi_up
from tests.fixtures.promote import SECRET_VALUES, deploy_build, with_secrets

PROJECT = Path(__file__).resolve().parents[1]
PROMOTIONS = "^POST /pipeline-promotions$"


async def deployed(base_url: str) -> None:
    clock = SystemClock()
    async with HerokuClient(base_url=base_url, token=TOKEN) as heroku:
        for stack in ("staging", "production"):
            await pulumi_up(heroku, with_secrets(load_stack(stack, PROJECT), SECRET_VALUES[stack]), clock)
        await deploy_build(heroku, "shopsentiment-staging", "v1.1.0", clock)
    admin(base_url, "DELETE", "requests")


async def one_promotion(base_url: str, journals: Path) -> str:
    request = PromoteRequest(project_dir=PROJECT, journal_dir=journals)
    timing = Timing(promotion_deadline=20, release_deadline=20, first_poll=0.5, max_poll=2)
    async with open_env(timing=timing, base_url=base_url, token=TOKEN, router_url=base_url, out=lambda _: None) as env:
        try:
            result = await promote(request, env, lambda question: True)
        except PromotionError as err:
            return f"{type(err).__name__} (exit {int(err.exit_code)})"
        return f"{result.outcome} (exit {int(result.outcome.exit_code) if result.outcome else 0})"


def promotions_sent(base_url: str) -> int:
    log = admin(base_url, "GET", "requests")
    return sum(1 for r in log if (r["method"], r["path"]) == ("POST", "/pipeline-promotions"))


async def scenario(name: str, faults: dict[str, object], extra: list[str], runs: int) -> None:
    with sandbox_process(token=TOKEN, extra=extra) as base_url, tempfile.TemporaryDirectory() as journals:
        await deployed(base_url)
        admin(base_url, "PUT", "faults", faults)
        started = time.perf_counter()
        if runs == 1:
            outcomes = [await one_promotion(base_url, Path(journals))]
        else:
            outcomes = list(await asyncio.gather(*(one_promotion(base_url, Path(journals)) for _ in range(runs))))
        took = time.perf_counter() - started
        print(f"{name:<46} {promotions_sent(base_url):>10} {took:>7.1f}s  {'; '.join(sorted(outcomes))}")


def two_processes() -> None:
    with sandbox_process(token=TOKEN) as base_url, tempfile.TemporaryDirectory() as journals:
        asyncio.run(deployed(base_url))
        env = {**os.environ, "HEROKU_API_URL": base_url, "HEROKU_API_KEY": TOKEN}
        command = [sys.executable, "-m", "infra.cli.main", "promote", "--yes", "--journal-dir", journals]
        started = time.perf_counter()
        runs = [
            subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
            for _ in range(2)
        ]
        codes = sorted(run.wait(timeout=300) for run in runs)
        took = time.perf_counter() - started
        print(f"{'two promote processes at once':<46} {promotions_sent(base_url):>10} {took:>7.1f}s  exits {codes}")


def main() -> None:
    print(f"{'scenario':<46} {'promotions':>10} {'time':>8}  outcome")
    drop_after = {"drop_after_apply_burst": 1, "drop_after_apply_match": PROMOTIONS}
    asyncio.run(scenario("answer lost after apply", drop_after, [], 1))
    asyncio.run(scenario("answer lost after apply, promotion takes 5 s", drop_after, ["--promotion-delay", "5"], 1))
    asyncio.run(scenario("answer lost before Heroku got it", {"drop_burst": 1, "drop_match": PROMOTIONS}, [], 1))
    asyncio.run(scenario("two promotions at once, one process", {}, [], 2))
    two_processes()


if __name__ == "__main__":
    main()
