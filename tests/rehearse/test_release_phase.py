"""A first deploy of an app whose Procfile has a `release:` process (migrations), rehearsed on the sandbox.

The provider's build stops waiting once the build succeeded and its formation PATCHes once: while the
release phase runs, the web process does not exist yet. The program's ReleasePhase makes the first
`pulumi up` succeed; without it the rehearsal fails exactly where the provider would.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import RehearsalError
from infra.heroku import HerokuClient
from infra.plan import Plan, plan_spec
from infra.program import ProviderSettings
from infra.rehearse import Rehearsal, rehearse
from infra.sandbox import SandboxTransport
from infra.sandbox.context import Sandbox
from infra.spec import load_stack
from infra.spec.models import StackSpec
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN

pytestmark = pytest.mark.anyio

MIGRATIONS = {"web": "gunicorn app:app", "release": "alembic upgrade head"}


async def migrations_take(client: httpx.AsyncClient, seconds: float, outcome: str = "succeeded") -> None:
    behaviour = {"process_types": MIGRATIONS, "release_phase_seconds": seconds, "release_phase_outcome": outcome}
    (await client.put("/__sandbox/builds", json=behaviour)).raise_for_status()


async def up(transport: SandboxTransport, clock: FakeClock, spec: StackSpec, plan: Plan | None = None) -> Rehearsal:
    async with HerokuClient(base_url=SANDBOX_BASE_URL, token=SANDBOX_TOKEN, transport=transport, clock=clock) as h:
        return await rehearse(h, spec, clock, parallel=1, plan=plan)


def without_the_wait(spec: StackSpec) -> Plan:
    """The stack's plan as the program made it before ReleasePhase: the formation right after the build."""
    plan = plan_spec(spec, provider=ProviderSettings(url=SANDBOX_BASE_URL))
    kept = []
    for resource in plan.resources:
        if resource.kind == "ReleasePhase":
            continue
        if resource.kind == "Formation":
            resource = dataclasses.replace(resource, after=("Build web-build",))
        kept.append(resource)
    return dataclasses.replace(plan, resources=tuple(kept))


async def test_the_first_up_waits_for_the_release_phase_before_scaling(
    project_dir: Path,
    sandbox_client: httpx.AsyncClient,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
) -> None:
    await migrations_take(sandbox_client, 120)

    done = await up(sandbox_transport, sandbox_clock, load_stack("staging", project_dir))

    wait = next(r for r in done.resources if r.kind == "ReleasePhase")
    scaled = [(e.method, e.status) for e in sandbox_state.requests.snapshot() if e.path.endswith("/formation/web")]
    assert (wait.action, wait.seconds >= 120) == ("created", True)
    assert scaled == [("PATCH", 200)]
    formation = (await sandbox_client.get("/apps/shopsentiment-staging/formation/web")).json()
    assert (formation["quantity"], formation["size"]) == (1, "Basic")


async def test_without_the_wait_the_first_up_fails_at_the_formation_as_the_provider_would(
    project_dir: Path, sandbox_client: httpx.AsyncClient, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock
) -> None:
    await migrations_take(sandbox_client, 120)
    spec = load_stack("staging", project_dir)

    with pytest.raises(RehearsalError) as caught:
        await up(sandbox_transport, sandbox_clock, spec, plan=without_the_wait(spec))

    assert str(caught.value).startswith("stopped at Formation web-formation-web (web) after 9 change(s): PATCH /apps/")
    assert "/formation/web -> 404 not_found: Couldn't find that process type (web)." in str(caught.value)


async def test_a_failing_release_phase_stops_the_first_up_with_the_release_output(
    project_dir: Path, sandbox_client: httpx.AsyncClient, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock
) -> None:
    await migrations_take(sandbox_client, 30, outcome="failed")

    with pytest.raises(RehearsalError) as caught:
        await up(sandbox_transport, sandbox_clock, load_stack("staging", project_dir))

    message = str(caught.value)
    assert message.startswith("stopped at ReleasePhase web-release-phase after 9 change(s): GET /apps/")
    assert (
        "the release is 'failed', expected 'succeeded' (see its output: http://sandbox.localhost/__sandbox/" in message
    )
