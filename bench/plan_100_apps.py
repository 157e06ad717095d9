"""Benchmark: the offline plan of a generated 100-app stack under Pulumi's mock engine.

Prints the wall time of `plan_stack` (load, validate, run the real program under the mock
engine, build the plan) and of rendering it, the number of resources, and peak memory: the
process's peak resident set size, and Python's own peak allocations (tracemalloc, measured on
a second run because tracing slows it down).

For scale, the same run times the bare Pulumi SDK registering the same resources (same types,
names, inputs, parents and `protect`) under its stock mock engine: no spec, no program logic,
no recording. Target (issue 13): the plan within 2x of that floor.

    .venv/bin/python bench/plan_100_apps.py [--apps N]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import resource
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from infra.plan.model import Plan
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


class BareMocks(pulumi.runtime.Mocks):
    """Pulumi's stock mock engine at its simplest: every resource's state is its inputs."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class Declared:
    """One planned resource as the bare run registers it (plain data: it crosses to another process)."""

    type: str
    name: str
    ref: str
    inputs: dict[str, Any]
    app: str | None
    protect: bool
    after: tuple[str, ...]
    provider: str | None


def declared(plan: Plan) -> list[Declared]:
    return [
        Declared(r.type, r.logical_name, r.ref, dict(r.inputs), r.app, r.protect, r.after, r.provider)
        for r in plan.resources
        if not r.read
    ]


_REFERENCE = re.compile(r"^<([^<>]+)>(\.\w+)?$")  # how the plan shows another resource's output


def register_bare(resources: list[Declared]) -> None:
    """The plan's resource graph registered with the plain SDK: the same types, names, parents (one
    component per app), provider, `protect`, explicit dependencies, and inputs, where an input the
    plan shows as another resource's output is that resource's id (an Output, as in the program)."""
    registered: dict[str, pulumi.Resource] = {}
    components: dict[str, pulumi.ComponentResource] = {}

    def value(v: Any) -> Any:
        if (
            isinstance(v, str)
            and (m := _REFERENCE.match(v))
            and isinstance(registered.get(m[1]), pulumi.CustomResource)
        ):
            return registered[m[1]].id  # type: ignore[attr-defined]
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        return [value(x) for x in v] if isinstance(v, list) else v

    for r in resources:
        parent = None
        if r.app is not None:
            parent = components.get(r.app)
            if parent is None:
                parent = components[r.app] = pulumi.ComponentResource("heroku-stack:index:HerokuApp", r.app)
        options = pulumi.ResourceOptions(
            parent=parent,
            protect=r.protect,
            depends_on=[registered[a] for a in r.after if a in registered],
            provider=registered.get(r.provider) if r.provider else None,  # type: ignore[arg-type]
        )
        inputs = value(r.inputs)
        if r.type.startswith("pulumi:providers:"):
            registered[r.ref] = pulumi.ProviderResource(r.type.split(":")[-1], r.name, inputs, opts=options)
        else:
            registered[r.ref] = pulumi.CustomResource(r.type, r.name, inputs, opts=options)


def bare_sdk_seconds(resources: list[Declared]) -> float:
    """Wall time of `register_bare` under `pulumi.runtime.set_mocks`, in this (fresh) process."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    started = time.perf_counter()
    pulumi.runtime.set_mocks(BareMocks(), project="bench", stack="production", preview=False)
    pulumi.runtime.test(lambda: register_bare(resources))()
    return time.perf_counter() - started


def plan_seconds(root: Path) -> float:
    """Wall time of `plan_stack` in this (fresh) process, its modules imported first as the bare run's are."""
    import pulumiverse_heroku  # noqa: F401 - imported before the clock starts, like `pulumi` for the bare run

    started = time.perf_counter()
    plan_stack("production", root)
    return time.perf_counter() - started


def in_fresh_process(call: Any, *args: Any) -> float:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        seconds: float = pool.submit(call, *args).result()
    return seconds


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
        # Each in a process of its own (the SDK's globals outlive a run), modules imported before
        # the clock starts; alternating, best of three (a busy two-core machine is noisy).
        warm_runs, bare_runs = [], []
        for _ in range(3):
            warm_runs.append(in_fresh_process(plan_seconds, root))
            bare_runs.append(in_fresh_process(bare_sdk_seconds, declared(plan)))
        warm, bare = min(warm_runs), min(bare_runs)
        # A second, traced run for Python's own peak (tracemalloc slows it down several times).
        tracemalloc.start()
        plan_stack("production", root)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"apps:                  {args.apps}")
    print(f"resources planned:     {len(plan.resources)}")
    print(f"plan (load + program): {planned - started:.2f} s wall")
    ratio = warm / bare
    print(f"plan, fresh process:   {warm:.2f} s wall (best of {', '.join(f'{t:.2f}' for t in warm_runs)})")
    print(
        f"bare Pulumi SDK:       {bare:.2f} s wall (best of {', '.join(f'{t:.2f}' for t in bare_runs)}; "
        f"the same {len(plan.resources)} resources, stock mocks)"
    )
    print(f"plan / bare SDK:       {ratio:.2f} (target <= 2: {'OK' if ratio <= 2 else 'MISSED'})")
    print(f"render text + JSON:    {rendered - planned:.2f} s ({len(text.splitlines())} lines, {len(as_json)} bytes)")
    print(f"peak resident memory:  {rss_kib / 1024:.1f} MiB (whole process, untraced run)")
    print(f"peak Python memory:    {peak / 2**20:.1f} MiB (tracemalloc, second run)")


if __name__ == "__main__":
    main()
