"""Benchmark: the offline plan of a generated 100-app stack under Pulumi's mock engine.

Prints the wall time of `plan_stack` (load, validate, run the real program under the mock
engine, build the plan) and of rendering it, the number of resources, and peak memory: the
process's peak resident set size, and Python's own peak allocations (tracemalloc, measured on
a second run because tracing slows it down).

    .venv/bin/python bench/plan_100_apps.py [--apps N]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from infra.plan.planner import plan_stack
from infra.plan.render import render_json, render_text

CIPHERTEXT = {"secure": "v1:bm9uY2Utbm9uY2U=:Y2lwaGVydGV4dC1jaXBoZXJ0ZXh0"}


def app(index: int) -> dict[str, Any]:
    """One app shaped like a production API: two add-ons, a domain, two process types, a build."""
    name = f"bench-app-{index:03d}"
    return {
        "name": name,
        "buildpacks": ["heroku/python"],
        "config": {"APP_ENV": "production", "LOG_LEVEL": "INFO", "WORKERS": str(index % 4 + 1)},
        "secrets": {"SECRET_KEY": CIPHERTEXT, "DATABASE_PASSWORD": CIPHERTEXT},
        "addons": [
            {"plan": "heroku-postgresql:standard-0", "name": f"{name}-db"},
            {"plan": "heroku-redis:premium-0", "name": f"{name}-redis", "attachment": "CACHE"},
        ],
        "domains": [{"hostname": f"app{index}.bench.example.com"}],
        "acm": True,
        "formation": {"web": {"quantity": 2, "size": "standard-2x"}, "worker": {"quantity": 1, "size": "standard-1x"}},
        "features": {"preboot": True},
        "deploy": {"source_url": f"https://example.com/{name}.tar.gz", "version": "v1.0.0"},
    }


def write_project(root: Path, apps: int) -> None:
    (root / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    config = {
        "bench:stage": "production",
        "bench:pipeline": "bench-pipeline",
        "bench:apps": {f"app{i:03d}": app(i) for i in range(apps)},
    }
    (root / "Pulumi.production.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        write_project(root, args.apps)
        started = time.perf_counter()
        plan = plan_stack("production", root)
        planned = time.perf_counter()
        text, as_json = render_text(plan), render_json(plan)
        rendered = time.perf_counter()
        rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # A second, traced run for Python's own peak (tracemalloc slows it down several times).
        tracemalloc.start()
        plan_stack("production", root)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"apps:                  {args.apps}")
    print(f"resources planned:     {len(plan.resources)}")
    print(f"plan (load + program): {planned - started:.2f} s wall")
    print(f"render text + JSON:    {rendered - planned:.2f} s ({len(text.splitlines())} lines, {len(as_json)} bytes)")
    print(f"peak resident memory:  {rss_kib / 1024:.1f} MiB (whole process, untraced run)")
    print(f"peak Python memory:    {peak / 2**20:.1f} MiB (tracemalloc, second run)")


if __name__ == "__main__":
    main()
