"""The whole rehearsal against the in-process sandbox: the provider's requests, its waits, what it leaves behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.clock import FakeClock
from infra.errors import ExitCode, RehearsalError
from infra.heroku import HerokuClient
from infra.rehearse import Rehearsal, RehearsedResource, rehearse
from infra.sandbox import Delays, SandboxTransport
from infra.sandbox.context import Sandbox
from infra.spec import load_stack
from infra.spec.models import AddonSpec, DrainSpec, StackSpec
from infra.spec.secret import Secret, fingerprint
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN
from tests.fixtures.verify import VerifyStack, rows

pytestmark = pytest.mark.anyio

STAGING = "shopsentiment-staging"


async def run(
    transport: SandboxTransport,
    clock: FakeClock,
    spec: StackSpec,
    *,
    base_url: str = SANDBOX_BASE_URL,
    secrets: dict[str, str] | None = None,
    seen: list[RehearsedResource] | None = None,
    parallel: int = 1,
) -> Rehearsal:
    # One operation at a time unless asked: the order of requests is then the same on every run.
    async with HerokuClient(base_url=base_url, token=SANDBOX_TOKEN, transport=transport, clock=clock) as heroku:
        return await rehearse(
            heroku,
            spec,
            clock,
            secrets=secrets,
            on_resource=None if seen is None else seen.append,
            parallel=parallel,
        )


def writes(sandbox: Sandbox, ids: dict[str, str]) -> list[tuple[str, str, int]]:
    """The write requests the sandbox saw, ids replaced by the names in `ids` (id -> name)."""
    found = []
    for entry in sandbox.requests.snapshot():
        if entry.method in ("GET", "HEAD"):
            continue
        path = entry.path
        for value, name in ids.items():
            path = path.replace(value, name)
        found.append((entry.method, path, entry.status))
    return found


async def test_staging_is_created_with_the_providers_writes_in_dependency_order(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    seen: list[RehearsedResource] = []

    done = await run(sandbox_transport, sandbox_clock, load_stack("staging", project_dir), seen=seen)

    assert writes(sandbox_state, {done.app_ids["web"]: "{web}"}) == [
        ("POST", "/pipelines", 201),  # owned by the team: no GET /account first
        ("PUT", "/teams/shopsentiment/members", 201),
        ("PUT", "/teams/shopsentiment/members", 201),
        ("POST", "/teams/apps", 201),
        ("PATCH", "/apps/{web}/config-vars", 200),
        ("PUT", "/apps/{web}/buildpack-installations", 200),
        ("POST", "/apps/{web}/addons", 201),
        ("POST", "/apps/{web}/addons", 201),
        ("POST", "/apps/{web}/addons", 201),
        ("PATCH", "/apps/{web}/features/runtime-dyno-metadata", 200),
        ("POST", "/apps/{web}/builds", 201),
        ("PATCH", "/apps/{web}/formation/web", 200),
        ("POST", "/teams/apps/{web}/collaborators", 201),
        ("POST", "/pipeline-couplings", 201),
    ]
    assert [(r.action, r.ref, r.requests) for r in seen] == [
        ("read", "getTeam shopsentiment", 1),
        ("declared", "Provider heroku", 0),
        ("created", "Pipeline pipeline", 2),
        ("created", "Member team-member-dev@shopsentiment.example", 2),
        ("created", "Member team-member-lead@shopsentiment.example", 2),
        ("declared", "HerokuApp web", 0),
        ("created", "App web", 9),  # and GET /teams/apps/{id} in its read
        ("created", "Addon web-addon-heroku-redis", 4),
        ("created", "Addon web-addon-newrelic", 4),
        ("created", "Addon web-addon-papertrail", 4),
        ("created", "Feature web-feature-runtime-dyno-metadata", 2),
        ("created", "Build web-build", 3),
        ("created", "ReleasePhase web-release-phase", 1),
        ("created", "Formation web-formation-web", 3),
        ("created", "Collaborator web-collaborator-dev@shopsentiment.example", 3),
        ("created", "Coupling web-coupling", 2),
    ]
    assert (done.requests, done.resources == tuple(seen)) == (42, True)
    assert done.outputs["apps"] == {
        "web": {"id": done.app_ids["web"], "name": STAGING, "web_url": f"https://{STAGING}-9b0847d1ad3b.herokuapp.com/"}
    }


async def test_a_rehearsed_stack_verifies_clean_against_its_manifest(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, verify_stack: VerifyStack
) -> None:
    staging = await run(sandbox_transport, sandbox_clock, load_stack("staging", project_dir))
    production = await run(sandbox_transport, sandbox_clock, load_stack("production", project_dir))

    results = [
        await verify_stack(load_stack(stack, project_dir), manifest=done.manifest)
        for stack, done in (("staging", staging), ("production", production))
    ]

    assert [(rows(r.findings), r.exit_code) for r in results] == [([], ExitCode.OK), ([], ExitCode.OK)]
    assert production.pipeline_id == staging.pipeline_id
    assert [(r.action, r.ref) for r in production.resources[:1]] == [
        ("read", "StackReference organization/shopsentiment/staging")
    ]


async def test_the_secret_values_set_are_the_ones_the_manifest_fingerprints(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock
) -> None:
    done = await run(
        sandbox_transport,
        sandbox_clock,
        load_stack("staging", project_dir),
        secrets={"apps.web.secrets.SECRET_KEY": "given-session-key"},
    )
    async with HerokuClient(base_url=SANDBOX_BASE_URL, token=SANDBOX_TOKEN, transport=sandbox_transport) as heroku:
        live = await heroku.get(f"/apps/{STAGING}/config-vars")

    expected = done.manifest.apps["web"].secret_config_vars
    assert expected == {
        name: fingerprint(live[name], scope=f"{STAGING}/{name}") for name in ("MONGODB_URI", "SECRET_KEY")
    }
    assert live["SECRET_KEY"] == "given-session-key"
    assert live["MONGODB_URI"].startswith("rehearsal-")
    assert dict(done.secrets.sources) == {
        "apps.web.secrets.SECRET_KEY": "given",
        "apps.web.secrets.MONGODB_URI": "generated",
    }


class TestWithHerokuTakingItsTime:
    @pytest.fixture
    def sandbox_delays(self) -> Delays:
        return Delays(release=1.0, addon=2.0, build=3.0)

    async def test_each_wait_polls_at_the_providers_doubling_intervals(
        self, project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
    ) -> None:
        done = await run(sandbox_transport, sandbox_clock, load_stack("staging", project_dir))

        app = done.app_ids["web"]
        polls = [(e.path, e.status) for e in sandbox_state.requests.snapshot() if "/releases/" in e.path]
        assert sandbox_clock.sleeps == (
            [0.2, 0.4, 0.8]  # the release of the first config change: pending for 1 s
            + [0.2, 0.4, 0.8, 1.6] * 3  # each add-on: provisioning for 2 s
            + [0.2, 0.4, 0.8, 1.6]  # the build: pending for 3 s
            + [0.2, 0.4, 0.8]  # and its release, pending for 1 s once the build is done (the program's ReleasePhase)
        )
        # 4 reads of the config change's release, 4 of the build's (answered 304 while unchanged: ETags)
        assert [path.startswith(f"/apps/{app}/releases/") for path, _ in polls] == [True] * 8
        assert done.seconds == pytest.approx(sum(sandbox_clock.sleeps))


async def test_a_non_loopback_api_is_refused_before_any_request(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    with pytest.raises(RehearsalError) as caught:
        await run(
            sandbox_transport, sandbox_clock, load_stack("staging", project_dir), base_url="https://api.heroku.com"
        )

    assert str(caught.value) == (
        "refusing to rehearse against https://api.heroku.com: the rehearsal only talks to a local Heroku API "
        "(127.0.0.0/8, ::1, localhost), such as `heroku-stack sandbox`; set HEROKU_API_URL to it. "
        "Against real Heroku, run `pulumi up`."
    )
    assert sandbox_state.requests.snapshot() == []


def with_cache_and_secret_drain(spec: StackSpec) -> StackSpec:
    web = spec.apps["web"]
    addons = tuple(
        a.model_copy(update={"attachment": "CACHE"}) if a.service == "heroku-redis" else a for a in web.addons
    )
    drains = (DrainSpec(secret_url=Secret(ciphertext="v1:abc")),)
    return spec.model_copy(update={"apps": {"web": web.model_copy(update={"addons": addons, "drains": drains})}})


async def test_an_attachment_and_a_secret_drain_are_created_and_verify_clean(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, verify_stack: VerifyStack
) -> None:
    spec = with_cache_and_secret_drain(load_stack("staging", project_dir))
    drain = "syslog+tls://logs.example.com:6514"

    done = await run(sandbox_transport, sandbox_clock, spec, secrets={"apps.web.drains[0].secret_url": drain})
    result = await verify_stack(spec, manifest=done.manifest)

    assert [r.ref for r in done.resources if r.kind in ("Attachment", "Drain")] == [
        "Attachment web-attachment-CACHE",
        "Drain web-drain-0",
    ]
    assert (rows(result.findings), result.exit_code) == ([], ExitCode.OK)
    assert done.manifest.document()["apps"]["web"]["drains"] == [
        {"url": None, "secret": True, "fingerprint": fingerprint(drain, scope=f"{STAGING}/drain")}
    ]


async def test_a_resource_heroku_refuses_stops_the_rehearsal_by_name_and_never_shows_the_secret(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = with_cache_and_secret_drain(load_stack("staging", project_dir))
    leaked = "ftp://drain-token-91c2@logs.example.com"

    with pytest.raises(RehearsalError) as caught:
        await run(sandbox_transport, sandbox_clock, spec, secrets={"apps.web.drains[0].secret_url": leaked})

    request_id = sandbox_state.requests.snapshot()[-1].request_id
    app = sandbox_state.requests.snapshot()[-1].path.split("/")[2]
    assert str(caught.value) == (
        f"stopped at Drain web-drain-0 ([secret]) after 12 change(s): POST /apps/{app}/log-drains -> 422 "
        "invalid_params: Invalid params: url must be a syslog://, syslog+tls:// or https:// URL (got '[secret]')., "
        f"request id {request_id}. What was done is recorded: fix the cause and rehearse again to carry on, or "
        "reset the sandbox (POST /__sandbox/reset) to start over"
    )


async def test_a_stack_that_looks_the_pipeline_up_by_name_needs_the_owner_rehearsed_first(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    by_name = load_stack("production", project_dir).model_copy(update={"pipeline_lookup": "name"})

    with pytest.raises(RehearsalError) as caught:
        await run(sandbox_transport, sandbox_clock, by_name)

    request_id = sandbox_state.requests.snapshot()[-1].request_id
    assert str(caught.value) == (
        "stopped before changing anything: reading heroku:pipeline/getPipeline:getPipeline({'name': 'shopsentiment'}) "
        "failed: GET /pipelines/shopsentiment -> 404 not_found: Couldn't find that pipeline. (shopsentiment), "
        f"request id {request_id}. A stack that looks the pipeline up needs the owner stack rehearsed first"
    )
    assert [(e.method, e.path) for e in sandbox_state.requests.snapshot()] == [("GET", "/pipelines/shopsentiment")]


async def test_a_stack_that_references_the_owner_stack_needs_it_rehearsed_first(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    with pytest.raises(RehearsalError) as caught:
        await run(sandbox_transport, sandbox_clock, load_stack("production", project_dir))

    assert str(caught.value) == (
        "stopped before changing anything: StackReference organization/shopsentiment/staging reads stack "
        "shopsentiment/staging, which was never rehearsed on this sandbox; rehearse it first "
        "(`heroku-stack rehearse staging`), as `pulumi up` of that stack must come first"
    )
    assert sandbox_state.requests.snapshot() == []  # the sandbox's own API is not in the Heroku request log


async def test_a_stack_declaring_a_database_gets_it_before_its_build(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock
) -> None:
    staging = load_stack("staging", project_dir)
    web = staging.apps["web"]
    database = AddonSpec(plan="heroku-postgresql:essential-0", name="shopsentiment-staging-db")
    spec = staging.model_copy(update={"apps": {"web": web.model_copy(update={"addons": (*web.addons, database)})}})

    done = await run(sandbox_transport, sandbox_clock, spec)

    names: list[Any] = [r.name for r in done.resources if r.kind in ("Addon", "Build")]
    assert names == [
        "shopsentiment-staging-db",
        "shopsentiment-staging-redis",
        "shopsentiment-staging-newrelic",
        "shopsentiment-staging-papertrail",
        "v1.0.0",
    ]
