"""InventorySync end to end, as a new user runs it: its own stack files, `sandbox.yaml` and `promotion.yaml`.

Both stacks are rehearsed into the sandbox with the project's profiles (the API's `/health`,
`/metrics` and `/health/status`, the front end's HTML, the API's `release:` migration), then
verified, drifted by hand with the real Heroku CLI, and promoted: two app pairs (API and front
end), each its own pipeline promotion. Secrets are decrypted from the stack files with the
example's documented passphrase, as `PULUMI_CONFIG_PASSPHRASE` would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from infra.clock import FakeClock
from infra.errors import ExitCode, PromotionBlocked, PromotionRolledBack
from infra.heroku import HerokuClient
from infra.promote.journal import PromotionOutcome
from infra.rehearse.profiles import load_profiles
from infra.sandbox.admin import install_http_behaviour
from infra.sandbox.context import Sandbox
from infra.sandbox.transport import SandboxTransport
from infra.spec.loader import load_stack
from infra.spec.models import StackSpec
from infra.spec.secret import Secret
from infra.verify.result import VerificationResult
from tests.conftest import PROJECT_DIR
from tests.fixtures.deploy import DeployedStack, pulumi_up
from tests.fixtures.heroku_cli import HerokuCli
from tests.fixtures.promote import deploy_build, run_promotion, writes_seen
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN
from tests.fixtures.verify import VerifyStack

pytestmark = pytest.mark.anyio
PASSPHRASE = Secret(value="inventorysync-demo")  # README: the examples' passphrases open nothing real
API = {"staging": "inventorysync-api-staging", "production": "inventorysync-api-production"}
WEB = {"staging": "inventorysync-web-staging", "production": "inventorysync-web-production"}
MIGRATIONS = {"web": "gunicorn -k uvicorn.workers.UvicornWorker main:app", "release": "alembic upgrade head"}
CHECKS = ("api/health", "api/http/metrics", "api/http/status", "api/release", "web/health", "web/release")
# The Procfile is checked where the stack builds; production runs slugs promoted from staging.
PROCFILE_CHECKS = ("api/procfile/web", "api/procfile/release", "web/procfile/web")


@pytest.fixture
def project(project_dir: Path, tmp_path: Path) -> Path:
    """A copy of examples/inventorysync; promotion journals are written under it."""
    target = tmp_path / "inventorysync"
    shutil.copytree(project_dir / "examples" / "inventorysync", target)
    return target


@pytest.fixture(scope="module")
def specs() -> dict[str, StackSpec]:
    """Both stacks with their secrets decrypted (PBKDF2 with a million rounds: once per module)."""
    example = PROJECT_DIR / "examples" / "inventorysync"
    return {stack: load_stack(stack, example, passphrase=PASSPHRASE) for stack in ("staging", "production")}


@pytest.fixture
async def deployed(
    project: Path, specs: dict[str, StackSpec], sandbox_transport: SandboxTransport, sandbox_clock: FakeClock
) -> dict[str, DeployedStack]:
    """`heroku-stack rehearse staging`, then `production` (it reads staging's pipeline), with sandbox.yaml."""
    profiles = load_profiles(project)
    async with _person(sandbox_transport, sandbox_clock) as heroku:
        return {stack: await pulumi_up(heroku, spec, sandbox_clock, profiles=profiles) for stack, spec in specs.items()}


def _person(transport: SandboxTransport, clock: FakeClock) -> HerokuClient:
    return HerokuClient(base_url=SANDBOX_BASE_URL, token=SANDBOX_TOKEN, transport=transport, clock=clock)


def not_passing(result: VerificationResult) -> list[tuple[str, str]]:
    return [(f.check_id, f.outcome.value) for f in result.findings if f.outcome.value != "pass"]


async def newer_builds(transport: SandboxTransport, clock: FakeClock) -> dict[str, str]:
    """`git push` of v1.1.0 to both staging apps; their slug ids by app name."""
    async with _person(transport, clock) as heroku:
        return {
            app: (await deploy_build(heroku, app, "v1.1.0", clock))["slug"]["id"]
            for app in (API["staging"], WEB["staging"])
        }


async def test_both_stacks_verify_clean_with_every_check_the_plan_makes_by_hand(
    deployed: dict[str, DeployedStack], specs: dict[str, StackSpec], verify_stack: VerifyStack
) -> None:
    for stack, spec in specs.items():
        result = await verify_stack(spec, manifest=deployed[stack].manifest)

        checks = {f.check_id: f.outcome.value for f in result.findings}
        assert not_passing(result) == [], stack
        assert result.exit_code == ExitCode.OK
        expected = CHECKS + PROCFILE_CHECKS if stack == "staging" else CHECKS
        assert {check: checks.get(check) for check in CHECKS + PROCFILE_CHECKS} == {
            check: "pass" if check in expected else None for check in CHECKS + PROCFILE_CHECKS
        }


async def test_a_config_var_changed_by_hand_on_the_api_is_drift(
    deployed: dict[str, DeployedStack],
    specs: dict[str, StackSpec],
    heroku_cli: HerokuCli,
    verify_stack: VerifyStack,
) -> None:
    heroku_cli.change(f"config:set CORS_ORIGINS=https://evil.example -a {API['staging']}")

    result = await verify_stack(specs["staging"], manifest=deployed["staging"].manifest)

    assert not_passing(result) == [("api/config/CORS_ORIGINS", "changed")]
    assert result.exit_code == ExitCode.DRIFT


async def test_a_build_whose_procfile_lost_its_migration_is_reported_against_the_release_that_runs_it(
    deployed: dict[str, DeployedStack],
    specs: dict[str, StackSpec],
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_client: httpx.AsyncClient,
    verify_stack: VerifyStack,
) -> None:
    # Someone deleted the `release:` line and pushed: the migration will never run again.
    no_release = {"process_types": {"web": MIGRATIONS["web"], "worker": "python -m sync"}}
    (await sandbox_client.put(f"/__sandbox/apps/{API['staging']}/builds", json=no_release)).raise_for_status()
    async with _person(sandbox_transport, sandbox_clock) as heroku:
        release = await deploy_build(heroku, API["staging"], "v1.1.0", sandbox_clock)

    result = await verify_stack(specs["staging"], manifest=deployed["staging"].manifest)

    drift = {f.check_id: (f.outcome.value, f.summary) for f in result.findings if f.outcome.value != "pass"}
    version = release["version"]
    assert drift == {
        "api/procfile/release": ("missing", f"v{version}'s build declares no `release` process type"),
        "api/procfile/worker": (
            "unmanaged",
            f"v{version}'s build declares `worker: python -m sync`, which deploy.procfile in "
            "Pulumi.staging.yaml does not list",
        ),
    }
    (missing,) = [f for f in result.findings if f.check_id == "api/procfile/release"]
    assert missing.attribution is not None
    assert missing.attribution.version == version


async def test_both_app_pairs_are_promoted_each_by_its_own_promotion_and_verified(
    deployed: dict[str, DeployedStack],
    project: Path,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
) -> None:
    slugs = await newer_builds(sandbox_transport, sandbox_clock)
    sandbox_state.requests.clear()

    result = await run_promotion(project, sandbox_transport, sandbox_clock)

    async with _person(sandbox_transport, sandbox_clock) as heroku:
        running = {
            app: (await heroku.get_list(f"/apps/{app}/releases", sort="version", order="desc", limit=1))[0]["slug"][
                "id"
            ]
            for app in (API["production"], WEB["production"])
        }
    assert result.outcome == PromotionOutcome.SUCCEEDED
    assert writes_seen(sandbox_state) == [("POST", "/pipeline-promotions", 201)] * 2
    assert running == {API["production"]: slugs[API["staging"]], WEB["production"]: slugs[WEB["staging"]]}


async def test_a_front_end_that_fails_after_promotion_is_rolled_back(
    deployed: dict[str, DeployedStack],
    project: Path,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
) -> None:
    slugs = await newer_builds(sandbox_transport, sandbox_clock)
    # The new front end build serves errors in production (a bad API URL baked into the bundle).
    broken = load_profiles(project)["web"].http.model_copy(update={"unhealthy_releases": (slugs[WEB["staging"]],)})
    install_http_behaviour(sandbox_state, WEB["production"], broken)
    sandbox_state.requests.clear()

    with pytest.raises(PromotionRolledBack) as caught:
        await run_promotion(project, sandbox_transport, sandbox_clock)

    lines = str(caught.value).splitlines()
    assert lines[0] == "post-flight failed on production:"
    assert [line.split(": ", 1)[0] for line in lines[1:] if line.startswith("  ")] == ["  web/health"]
    # The API and the front end were released together, so both go back together.
    assert lines[-2] == f"rolled back and healthy: {API['production']} v8, {WEB['production']} v6"
    assert writes_seen(sandbox_state) == [
        ("POST", "/pipeline-promotions", 201),
        ("POST", "/pipeline-promotions", 201),
        ("POST", f"/apps/{API['production']}/releases", 201),
        ("POST", f"/apps/{WEB['production']}/releases", 201),
    ]


async def test_a_failed_release_phase_is_reported_with_its_output_and_blocks_promotion(
    deployed: dict[str, DeployedStack],
    specs: dict[str, StackSpec],
    project: Path,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    sandbox_client: httpx.AsyncClient,
    verify_stack: VerifyStack,
) -> None:
    failing = {"process_types": MIGRATIONS, "release_phase_seconds": 5, "release_phase_outcome": "failed"}
    (await sandbox_client.put(f"/__sandbox/apps/{API['staging']}/builds", json=failing)).raise_for_status()
    async with _person(sandbox_transport, sandbox_clock) as heroku:
        release = await deploy_build(heroku, API["staging"], "v1.1.0", sandbox_clock)
    assert release["status"] == "failed"

    result = await verify_stack(specs["staging"], manifest=deployed["staging"].manifest)
    (finding,) = [f for f in result.findings if f.check_id == "api/release"]
    assert finding.outcome.value == "changed"
    (remedy,) = finding.remedy
    assert f"heroku releases:output v{release['version']} -a {API['staging']}" in remedy
    assert release["output_stream_url"] in remedy

    sandbox_state.requests.clear()
    with pytest.raises(PromotionBlocked) as caught:
        await run_promotion(project, sandbox_transport, sandbox_clock)
    assert "api/release" in str(caught.value)
    assert writes_seen(sandbox_state) == []


async def test_a_slow_release_phase_in_production_is_waited_for(
    deployed: dict[str, DeployedStack],
    project: Path,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_client: httpx.AsyncClient,
) -> None:
    await newer_builds(sandbox_transport, sandbox_clock)
    # Production's migration takes 40 s (a big table); the promotion waits for it before post-flight.
    slow = {"process_types": MIGRATIONS, "release_phase_seconds": 40}
    (await sandbox_client.put(f"/__sandbox/apps/{API['production']}/builds", json=slow)).raise_for_status()
    started = sandbox_clock.monotonic()
    progress: list[str] = []

    result = await run_promotion(project, sandbox_transport, sandbox_clock, progress=progress)

    assert result.outcome == PromotionOutcome.SUCCEEDED
    assert sandbox_clock.monotonic() - started >= 40
    assert f"  {API['production']} v7: release phase running (60s left)" in progress


async def test_verification_waits_for_a_slow_release_phase_within_the_release_deadline(
    deployed: dict[str, DeployedStack],
    specs: dict[str, StackSpec],
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_client: httpx.AsyncClient,
    verify_stack: VerifyStack,
) -> None:
    # `git push` of a build whose migration takes 90 s; verify starts while it is still running.
    slow = {"process_types": MIGRATIONS, "release_phase_seconds": 90}
    (await sandbox_client.put(f"/__sandbox/apps/{API['staging']}/builds", json=slow)).raise_for_status()
    blob = {"url": "https://github.com/inventorysync/inventorysync-api/archive/refs/tags/v1.1.0.tar.gz"}
    async with _person(sandbox_transport, sandbox_clock) as heroku:
        build = await heroku.post(f"/apps/{API['staging']}/builds", json={"source_blob": blob})
        while (build := await heroku.get(f"/apps/{API['staging']}/builds/{build['id']}"))["status"] == "pending":
            await sandbox_clock.sleep(2)
        started = sandbox_clock.monotonic()
        assert (await heroku.get(f"/apps/{API['staging']}/releases/{build['release']['id']}"))["status"] == "pending"

        result = await verify_stack(specs["staging"], manifest=deployed["staging"].manifest)

    (release,) = [f for f in result.findings if f.check_id == "api/release"]
    assert (release.outcome.value, release.attempts > 1) == ("pass", True)
    assert not_passing(result) == []
    assert sandbox_clock.monotonic() - started >= 80
