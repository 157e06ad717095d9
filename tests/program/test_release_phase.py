"""The ReleasePhase dynamic resource's provider, over real HTTP against the sandbox on a loopback port.

The program's only code that talks to Heroku during `pulumi up`: it must wait out a release phase, fail
with the release's output when the phase fails or outlasts its timeout, and never carry credentials
into the Pulumi state (the engine stores the serialized provider object there).
"""

from __future__ import annotations

import asyncio
import base64
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from infra.clock import FakeClock
from infra.errors import ReleasePhaseFailed
from infra.heroku import HerokuClient
from infra.program.release_phase import ReleasePhaseProvider, await_release
from infra.rehearse import ProviderOptions, script_for
from infra.rehearse.replay import replay
from infra.sandbox import BackgroundServer
from tests.fixtures.pulumi_mocks import EngineRun
from tests.fixtures.sandbox import SANDBOX_HEADERS, SANDBOX_TOKEN
from tests.rehearse.helpers import planned

pytestmark = pytest.mark.slow

RELEASE_PHASE = "pulumi-python:dynamic/heroku-stack:ReleasePhase"
MIGRATIONS = {"web": "uvicorn app:app", "release": "alembic upgrade head"}


@pytest.fixture
def heroku(sandbox_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.base_url, headers=SANDBOX_HEADERS) as client:
        yield client


def built(heroku: httpx.Client, *, seconds: float, outcome: str = "succeeded") -> tuple[str, str]:
    """A new app whose first build's release runs a release phase; (app id, release id)."""
    heroku.put(
        "/__sandbox/builds",
        json={"process_types": MIGRATIONS, "release_phase_seconds": seconds, "release_phase_outcome": outcome},
    ).raise_for_status()
    app = heroku.post("/apps", json={"name": "inv-api-staging"}).json()
    build = heroku.post(
        f"/apps/{app['id']}/builds", json={"source_blob": {"url": "https://example.com/v1.tgz", "version": "v1"}}
    ).json()
    release = heroku.get(f"/apps/{app['id']}/builds/{build['id']}").json()["release"]["id"]
    return app["id"], release


def reads_of(heroku: httpx.Client, release: str) -> int:
    log = heroku.get("/__sandbox/requests").json()
    return sum(1 for entry in log if entry["path"].endswith(f"/releases/{release}"))


def test_it_waits_while_the_release_phase_runs_and_returns_the_succeeded_release(
    heroku: httpx.Client, sandbox_clock: FakeClock
) -> None:
    app, release = built(heroku, seconds=30)

    done = await_release(
        heroku, app, release, timeout=600, sleep=sandbox_clock.advance, monotonic=sandbox_clock.monotonic
    )

    assert (done["id"], done["status"], done["current"]) == (release, "succeeded", True)
    assert sandbox_clock.monotonic() >= 30
    assert reads_of(heroku, release) == 9  # 0.2 s doubling, capped at 10 s: read at 0, 0.2, ... 25.4, 35.4


def test_a_failed_release_phase_fails_with_the_releases_output_url(
    heroku: httpx.Client, sandbox_clock: FakeClock, sandbox_server: BackgroundServer
) -> None:
    app, release = built(heroku, seconds=5, outcome="failed")

    with pytest.raises(ReleasePhaseFailed) as caught:
        await_release(heroku, app, release, timeout=600, sleep=sandbox_clock.advance, monotonic=sandbox_clock.monotonic)

    assert str(caught.value) == (
        f"release v3 of app {app} failed in its release phase (release output: {sandbox_server.base_url}"
        f"/__sandbox/releases/{release}/output); the formation was not scaled. Fix the release command and "
        "deploy again"
    )


def test_a_release_phase_that_outlasts_the_timeout_fails_naming_the_setting(
    heroku: httpx.Client, sandbox_clock: FakeClock, sandbox_server: BackgroundServer
) -> None:
    app, release = built(heroku, seconds=3600)

    with pytest.raises(ReleasePhaseFailed) as caught:
        await_release(heroku, app, release, timeout=60, sleep=sandbox_clock.advance, monotonic=sandbox_clock.monotonic)

    assert str(caught.value) == (
        f"release {release} of app {app} is still 'pending' after 60s (release output: {sandbox_server.base_url}"
        f"/__sandbox/releases/{release}/output); raise deploy.release_phase_timeout_seconds if the release command "
        "needs longer"
    )


def test_the_provider_takes_the_api_key_and_url_from_the_stack_config_given_to_configure(
    heroku: httpx.Client, sandbox_server: BackgroundServer
) -> None:
    app, release = built(heroku, seconds=0)
    provider = ReleasePhaseProvider()
    config = {"heroku:apiKey": SANDBOX_TOKEN, "heroku:url": sandbox_server.base_url, "shop:stage": "staging"}

    provider.configure(ConfigureRequest(Config(config, "shop")))
    created = provider.create({"appId": app, "releaseId": release, "timeoutSeconds": 60})

    assert (created.id, created.outs) == (
        release,
        {"appId": app, "releaseId": release, "timeoutSeconds": 60, "version": 3, "status": "succeeded"},
    )


def test_a_new_release_replaces_the_wait_and_a_new_timeout_updates_it_without_a_request() -> None:
    provider = ReleasePhaseProvider()
    old = {"appId": "a", "releaseId": "r1", "timeoutSeconds": 60}

    assert provider.diff("r1", old, {**old, "releaseId": "r2"}).replaces == ["releaseId"]
    assert provider.diff("r1", old, {**old, "timeoutSeconds": 90}).replaces == []
    assert provider.diff("r1", old, {**old, "timeoutSeconds": 90}).changes is True
    assert provider.diff("r1", old, dict(old)).changes is False


def serialized_provider(engine_run: EngineRun) -> str:
    run = engine_run("staging")
    value: Any = run.named(RELEASE_PHASE, "web-release-phase").inputs["__provider"]
    assert isinstance(value, str)
    return value


def test_no_credential_reaches_the_serialized_provider_the_state_stores(
    engine_run: EngineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", "env-key-that-must-stay-out-of-state")

    blob = base64.b64decode(serialized_provider(engine_run))

    assert b"env-key-that-must-stay-out-of-state" not in blob
    assert blob == base64.b64decode(serialize_provider(ReleasePhaseProvider()))


def test_the_serialized_provider_loads_where_pulumis_dynamic_provider_host_runs_it(
    engine_run: EngineRun, project_dir: Path
) -> None:
    # `pulumi-resource-pulumi-python` runs `python -m pulumi.dynamic` in the program directory (infra/)
    # with the project's virtualenv: the class must be importable there, by reference.
    loader = "import base64, sys, dill; print(type(dill.loads(base64.b64decode(sys.argv[1]))).__name__)"

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", loader, serialized_provider(engine_run)],
        cwd=project_dir / "infra",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert (result.returncode, result.stdout) == (0, "ReleasePhaseProvider\n"), result.stderr[-2000:]


def test_the_rehearsal_replays_exactly_the_reads_this_provider_sends(
    heroku: httpx.Client, sandbox_clock: FakeClock, sandbox_server: BackgroundServer
) -> None:
    first_app, first_release = built(heroku, seconds=30)
    heroku.delete("/__sandbox/requests").raise_for_status()
    await_release(
        heroku, first_app, first_release, timeout=600, sleep=sandbox_clock.advance, monotonic=sandbox_clock.monotonic
    )
    by_provider = [(e["method"], e["path"]) for e in heroku.get("/__sandbox/requests").json()]
    second = heroku.post("/apps", json={"name": "inv-api-production"}).json()
    build = heroku.post(
        f"/apps/{second['id']}/builds", json={"source_blob": {"url": "https://example.com/v1.tgz", "version": "v1"}}
    ).json()
    second_release = heroku.get(f"/apps/{second['id']}/builds/{build['id']}").json()["release"]["id"]
    heroku.delete("/__sandbox/requests").raise_for_status()
    inputs = {"appId": second["id"], "releaseId": second_release, "timeoutSeconds": 600}
    script = script_for(planned("ReleasePhase", "api-release-phase", inputs=inputs), inputs, ProviderOptions())

    async def replayed() -> None:
        async with HerokuClient(base_url=sandbox_server.base_url, token=SANDBOX_TOKEN, clock=sandbox_clock) as client:
            await replay(client, script, sandbox_clock)

    asyncio.run(replayed())

    by_rehearsal = [(e["method"], e["path"]) for e in heroku.get("/__sandbox/requests").json()]
    assert by_provider == [("GET", f"/apps/{first_app}/releases/{first_release}")] * 9
    assert by_rehearsal == [("GET", f"/apps/{second['id']}/releases/{second_release}")] * 9


def test_declaring_release_phases_leaves_pickle_as_it_found_it(engine_run: EngineRun) -> None:
    # Pulumi wraps pickle's _batch_setitems once more for every dynamic resource it serialises and
    # never unwraps it: unchecked, some 480 release phases in one process end in RecursionError.
    before = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]

    serialized_provider(engine_run)
    serialized_provider(engine_run)

    assert pickle._Pickler._batch_setitems is before  # type: ignore[attr-defined]
