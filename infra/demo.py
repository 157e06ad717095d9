"""The first five minutes: the whole loop on an embedded sandbox, with nothing to install or configure.

`run_demo` starts the local Heroku sandbox in this process (state in `<demo dir>/sandbox.sqlite3`,
started afresh), rehearses `pulumi up` of every stack owner-first (the pipeline's owner stack
creates it), writes each stack's manifest beside it, verifies every stack through the sandbox's
router, and hands back what a person tries next: a hand change and `drift`. The sandbox's state
stays on disk so `heroku-stack sandbox --state` serves that same estate again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infra.clock import SystemClock
from infra.heroku import HerokuClient
from infra.rehearse import rehearse
from infra.rehearse.profiles import load_profiles
from infra.rehearse.run import CREATED
from infra.sandbox import BackgroundServer, SandboxConfig, create_app
from infra.spec.loader import available_stacks, load_stack
from infra.spec.models import StackSpec
from infra.spec.secret import Secret
from infra.verify.result import VerificationResult
from infra.verify.run import VerifyOptions, run_verification

DEMO_TOKEN = "demo"  # noqa: S105 - the embedded sandbox accepts this one token; it opens nothing real
DEFAULT_PORT = 5050  # the README's one sandbox port
DEMO_ACCOUNT = SandboxConfig().account_email  # who the demo token acts as: the teams' admin
STATE_FILE = "sandbox.sqlite3"


@dataclass(frozen=True)
class DemoStack:
    stack: str
    apps: tuple[str, ...]  # the Heroku app names, in the stack's order
    created: int  # resources the rehearsal created
    requests: int
    manifest: Path
    result: VerificationResult


@dataclass(frozen=True)
class Demo:
    base_url: str
    state: Path
    stacks: tuple[DemoStack, ...]


async def run_demo(
    project_dir: Path,
    demo_dir: Path,
    *,
    port: int = DEFAULT_PORT,
    passphrase: Secret | None = None,
    out: Callable[[str], None] = print,
) -> Demo:
    """Rehearse and verify every stack of `project_dir` on a fresh embedded sandbox; see the module docstring."""
    specs = _owner_first(
        [load_stack(name, project_dir, passphrase=passphrase) for name in available_stacks(project_dir)]
    )
    profiles = load_profiles(project_dir)
    demo_dir.mkdir(parents=True, exist_ok=True)
    state = demo_dir / STATE_FILE
    for stale in (state, state.with_name(STATE_FILE + "-wal"), state.with_name(STATE_FILE + "-shm")):
        stale.unlink(missing_ok=True)
    # A stack's Heroku Team is made in the Dashboard, never by Pulumi: the demo's sandbox starts with it.
    teams = {spec.team.name: DEMO_ACCOUNT for spec in specs if spec.team is not None}
    app = create_app(SandboxConfig(state_path=str(state), tokens=frozenset({DEMO_TOKEN}), teams=teams))
    done: list[DemoStack] = []
    with BackgroundServer(app, port=port) as server:
        out(f"Local Heroku sandbox on {server.base_url} (state: {state})")
        clock = SystemClock()
        async with HerokuClient(base_url=server.base_url, token=DEMO_TOKEN, clock=clock) as heroku:
            for spec in specs:
                out(f"\n== {spec.stack}: rehearsing `pulumi up` (the provider's requests, on the sandbox)")
                rehearsal = await rehearse(heroku, spec, clock, profiles=profiles)
                manifest = demo_dir / f"{spec.stack}.manifest.json"
                manifest.write_text(json.dumps(rehearsal.manifest.document(), indent=2) + "\n", encoding="utf-8")
                created = len(rehearsal.with_action(CREATED))
                out(f"   {created} resources created, {rehearsal.requests} API requests; manifest: {manifest}")
                out(f"== {spec.stack}: verifying what runs against what the stack declares")
                async with HerokuClient(
                    base_url=server.base_url, token=DEMO_TOKEN, clock=clock, read_only=True
                ) as reader:
                    options = VerifyOptions(manifest=rehearsal.manifest, router_url=server.base_url)
                    result = await run_verification(spec, reader, clock, options)
                counts = ", ".join(f"{n} {o}" for o, n in result.counts.items() if n)
                out(f"   {len(result.findings)} checks: {counts}; exit {int(result.exit_code)}")
                done.append(
                    DemoStack(
                        spec.stack,
                        tuple(a.name for a in spec.apps.values()),
                        created,
                        rehearsal.requests,
                        manifest,
                        result,
                    )
                )
        base_url = server.base_url
    return Demo(base_url, state, tuple(done))


def _owner_first(specs: list[StackSpec]) -> list[StackSpec]:
    """The pipeline's owner stack first: the others reference the pipeline it creates."""
    return sorted(specs, key=lambda s: (s.stage != s.pipeline_owner, s.stack))
