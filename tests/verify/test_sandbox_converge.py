"""Convergence: checks that take time are re-polled one by one until they settle or their deadline passes.

Here the sandbox takes 30 s to provision an add-on and 40 s to finish a release. Only the
object still converging is re-read: the request log shows nothing else fetched twice.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from infra.clock import FakeClock
from infra.errors import ExitCode
from infra.sandbox import Delays
from infra.spec import load_stack
from infra.spec.models import AddonSpec, StackSpec
from infra.verify.checkids import Scope
from tests.fixtures.deploy import DeployedStack
from tests.fixtures.sandbox import SetFaults
from tests.fixtures.verify import ApiRequests, DeployStack, Person, VerifyStack, rows, with_secret_values

pytestmark = pytest.mark.anyio

SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
APP = "shopsentiment-staging"
DB = "shopsentiment-staging-db"


@pytest.fixture
def sandbox_delays() -> Delays:
    return Delays(addon=30, release=40)


@pytest.fixture
def staging(project_dir: Path) -> StackSpec:
    return load_stack("staging", project_dir)


@pytest.fixture
async def deployed(staging: StackSpec, deploy_stack: DeployStack) -> DeployedStack:
    return await deploy_stack(with_secret_values(staging, SECRETS))


def with_database(spec: StackSpec) -> StackSpec:
    web = spec.apps["web"]
    addons = (*web.addons, AddonSpec(plan="heroku-postgresql:essential-0", name=DB))
    return spec.model_copy(update={"apps": {"web": web.model_copy(update={"addons": addons})}})


async def add_database(person: Person) -> str:
    async with person() as heroku:
        made = await heroku.post(
            f"/apps/{APP}/addons", json={"plan": "heroku-postgresql:essential-0", "name": DB, "confirm": APP}
        )
    return str(made["id"])


async def test_a_provisioning_addon_is_polled_alone_until_it_is_provisioned(
    staging: StackSpec,
    deployed: DeployedStack,
    person: Person,
    verify_stack: VerifyStack,
    api_requests: ApiRequests,
) -> None:
    addon_id = await add_database(person)
    before = len(api_requests())

    result = await verify_stack(with_database(staging), manifest=deployed.manifest)

    state = next(f for f in result.findings if f.check_id == f"web/addon/{DB}/state")
    assert (rows(result.findings), result.exit_code) == ([], ExitCode.OK)
    assert (state.summary, state.attempts, state.duration_seconds) == ("provisioned", 3, 47.5)
    scan = api_requests()[before:]
    repeated = sorted({r for r in scan if scan.count(r) > 1})
    assert repeated == [
        ("GET", f"/apps/{APP}/addons/{addon_id}"),
        ("GET", f"/apps/{APP}/config-vars"),  # once more when the add-on is ready: its vars appear then
    ]
    assert scan.count(("GET", f"/apps/{APP}/addons/{addon_id}")) == 3


async def test_a_pending_release_is_awaited_and_health_is_asked_after_it(
    staging: StackSpec, deployed: DeployedStack, person: Person, verify_stack: VerifyStack
) -> None:
    async with person() as heroku:
        await heroku.patch(f"/apps/{APP}/config-vars", json={"CACHE_DEFAULT_TIMEOUT": "300", "FOO": "1"})
        await heroku.patch(f"/apps/{APP}/config-vars", json={"FOO": None})

    result = await verify_stack(staging, manifest=deployed.manifest)

    found = {f.check_id: (f.outcome.value, f.summary, f.attempts) for f in result.findings}
    assert found["web/release"] == (
        "pass",
        "v9 succeeded: Remove FOO config vars",
        4,
    )  # polled at +5, +12.5, +23.75, +40.6 s
    assert found["web/health"][0:3:2] == ("pass", 1)
    assert found["web/health"][1].endswith("answered 200, release v9")
    assert result.exit_code is ExitCode.OK


async def test_what_is_still_converging_at_its_deadline_is_pending_with_exit_3(
    staging: StackSpec, deployed: DeployedStack, person: Person, verify_stack: VerifyStack
) -> None:
    await add_database(person)

    result = await verify_stack(with_database(staging), manifest=deployed.manifest, max_wait=20)

    assert rows(result.findings) == [(f"web/addon/{DB}/state", "pending")]
    assert result.exit_code is ExitCode.PENDING


async def test_without_waiting_a_converging_check_is_pending_at_once(
    staging: StackSpec, deployed: DeployedStack, person: Person, verify_stack: VerifyStack
) -> None:
    await add_database(person)

    result = await verify_stack(with_database(staging), manifest=deployed.manifest, wait=False)

    pending = [(f.check_id, f.attempts, f.summary) for f in result.findings if f.outcome.value == "pending"]
    assert pending == [(f"web/addon/{DB}/state", 1, "still provisioning")]
    assert result.exit_code is ExitCode.PENDING


async def test_progress_is_reported_while_waiting(
    staging: StackSpec, deployed: DeployedStack, person: Person, verify_stack: VerifyStack
) -> None:
    await add_database(person)
    lines: list[str] = []

    await verify_stack(with_database(staging), manifest=deployed.manifest, progress=lines.append)

    assert lines[0] == f"waiting on 1 check: web/addon/{DB}/state (still provisioning, 600s left)"
    assert len(lines) == 3


async def test_a_poll_that_keeps_failing_ends_as_an_error_not_as_drift(
    staging: StackSpec,
    deployed: DeployedStack,
    person: Person,
    verify_stack: VerifyStack,
    set_faults: SetFaults,
    sandbox_clock: FakeClock,
) -> None:
    await add_database(person)
    start = sandbox_clock.monotonic()

    async def api_down_once_polling_starts() -> None:
        while sandbox_clock.monotonic() == start:
            await asyncio.sleep(0)
        set_faults(error_rate=1.0)

    breaker = asyncio.ensure_future(api_down_once_polling_starts())
    result = await verify_stack(
        with_database(staging), manifest=deployed.manifest, scope=Scope.of(checks=["web/addon"])
    )
    await breaker

    state = next(f for f in result.findings if f.check_id == f"web/addon/{DB}/state")
    assert (state.outcome.value, state.summary.split(": GET")[0]) == ("error", "still pending when polling failed")
    assert result.exit_code is ExitCode.ERROR
