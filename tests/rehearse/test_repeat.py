"""A second rehearsal is a second `pulumi up`: only what changed is sent, as the engine and provider would send it."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest

from infra.clock import FakeClock
from infra.errors import ExitCode, RehearsalError
from infra.heroku import HerokuClient
from infra.plan import Plan, plan_spec
from infra.program import ProviderSettings
from infra.rehearse import Rehearsal, rehearse
from infra.sandbox import Delays, SandboxTransport
from infra.sandbox.context import Sandbox
from infra.spec import load_stack
from infra.spec.models import DrainSpec, StackSpec
from infra.spec.secret import Secret
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_TOKEN
from tests.fixtures.verify import VerifyStack, rows

pytestmark = pytest.mark.anyio

UNKEYED = (
    "fingerprint_key is still encrypted (set PULUMI_CONFIG_PASSPHRASE, or --secret fingerprint_key=...): the "
    "manifest's fingerprints are not keyed, unlike the ones `pulumi up` exports"
)


async def up(
    transport: SandboxTransport,
    clock: FakeClock,
    spec: StackSpec,
    *,
    preview: bool = False,
    parallel: int = 1,
    secrets: dict[str, str] | None = None,
) -> Rehearsal:
    async with HerokuClient(base_url=SANDBOX_BASE_URL, token=SANDBOX_TOKEN, transport=transport, clock=clock) as h:
        return await rehearse(h, spec, clock, preview=preview, parallel=parallel, secrets=secrets)


def writes_since(sandbox: Sandbox, mark: int, ids: dict[str, str]) -> list[tuple[str, str, int]]:
    found = []
    for entry in sandbox.requests.snapshot()[mark:]:
        if entry.method in ("GET", "HEAD"):
            continue
        path = entry.path
        for value, name in ids.items():
            path = path.replace(value, name)
        found.append((entry.method, path, entry.status))
    return found


def with_web(spec: StackSpec, **changes: Any) -> StackSpec:
    return spec.model_copy(update={"apps": {"web": spec.apps["web"].model_copy(update=changes)}})


def actions(done: Rehearsal) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.action, r.ref, r.changed) for r in done.resources if r.action not in ("unchanged", "declared", "read")]


async def test_an_unchanged_stack_rehearsed_again_only_reads_its_data_source(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = load_stack("staging", project_dir)
    first = await up(sandbox_transport, sandbox_clock, spec)
    mark = len(sandbox_state.requests.snapshot())

    again = await up(sandbox_transport, sandbox_clock, spec)

    # Every `pulumi up` runs the program, and with it the team lookup (`getTeam`): one read, no write.
    sent = [(r.method, r.path) for r in sandbox_state.requests.snapshot()[mark:]]
    assert (sent, again.requests) == ([("GET", "/teams/shopsentiment")], 1)
    assert {r.action for r in again.resources} == {"unchanged", "declared", "read"}
    assert (again.outputs["apps"], again.manifest) == (first.outputs["apps"], first.manifest)


async def test_a_changed_config_var_updates_the_app_in_place_as_the_provider_does(
    project_dir: Path,
    sandbox_transport: SandboxTransport,
    sandbox_clock: FakeClock,
    sandbox_state: Sandbox,
    verify_stack: VerifyStack,
) -> None:
    spec = load_stack("staging", project_dir)
    first = await up(sandbox_transport, sandbox_clock, spec)
    mark = len(sandbox_state.requests.snapshot())
    changed = with_web(spec, config={**spec.apps["web"].config, "LOG_LEVEL": "INFO"})

    again = await up(sandbox_transport, sandbox_clock, changed)

    web = first.app_ids["web"]
    assert actions(again) == [("updated", "App web", ("configVars",))]
    # resourceHerokuAppUpdate: the app PATCH (always, here {}), then every key of the changed map.
    assert writes_since(sandbox_state, mark, {web: "{web}"}) == [
        ("PATCH", "/apps/{web}", 200),
        ("PATCH", "/apps/{web}/config-vars", 200),
    ]
    result = await verify_stack(again.spec, manifest=again.manifest)
    assert (rows(result.findings), result.exit_code) == ([], ExitCode.OK)


async def test_a_preview_of_a_change_says_what_would_change_and_writes_nothing(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = load_stack("staging", project_dir)
    await up(sandbox_transport, sandbox_clock, spec)
    mark = len(sandbox_state.requests.snapshot())
    changed = with_web(spec, config={**spec.apps["web"].config, "LOG_LEVEL": "INFO"}, features={})

    preview = await up(sandbox_transport, sandbox_clock, changed, preview=True)

    assert writes_since(sandbox_state, mark, {}) == []
    assert [(s.action, s.ref, s.changed) for s in preview.steps if s.action not in ("same", "read")] == [
        ("update", "App web", ("configVars",)),
        ("delete", "Feature web-feature-runtime-dyno-metadata", ()),
    ]
    assert preview.previewed is True


async def test_a_changed_stage_replaces_the_coupling_deleting_the_old_one_first(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = load_stack("staging", project_dir)
    first = await up(sandbox_transport, sandbox_clock, spec)
    old_coupling = next(r.id for r in first.resources if r.kind == "Coupling")
    mark = len(sandbox_state.requests.snapshot())

    moved = spec.model_copy(update={"stage": "development", "pipeline_owner": "development"})

    again = await up(sandbox_transport, sandbox_clock, moved)

    assert actions(again) == [("replaced", "Coupling web-coupling", ("stage",))]
    assert writes_since(sandbox_state, mark, {str(old_coupling): "{old}"}) == [
        ("DELETE", "/pipeline-couplings/{old}", 200),
        ("POST", "/pipeline-couplings", 201),
    ]


async def test_replacing_a_protected_production_app_is_refused_before_any_write(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    await up(sandbox_transport, sandbox_clock, load_stack("staging", project_dir))
    production = load_stack("production", project_dir)
    await up(sandbox_transport, sandbox_clock, production)
    mark = len(sandbox_state.requests.snapshot())

    with pytest.raises(RehearsalError) as caught:
        await up(sandbox_transport, sandbox_clock, with_web(production, region="eu"))

    assert str(caught.value) == (
        "refusing to replace App web (shopsentiment-production): it is protected and a change of region replaces "
        "it; nothing was changed. As Pulumi would, the run stops before its first write: to go ahead on purpose, "
        "unprotect it first (`pulumi state unprotect`); to keep it, undo the change"
    )
    assert writes_since(sandbox_state, mark, {}) == []


async def test_a_resource_the_program_no_longer_declares_is_deleted_and_a_removed_process_type_is_warned_about(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = load_stack("staging", project_dir)
    first = await up(sandbox_transport, sandbox_clock, spec)
    mark = len(sandbox_state.requests.snapshot())

    again = await up(sandbox_transport, sandbox_clock, with_web(spec, features={}, formation={}))

    web = first.app_ids["web"]
    assert actions(again) == [  # dependants first: the reverse of the order they were created in
        ("deleted", "Formation web-formation-web", ()),
        ("deleted", "Feature web-feature-runtime-dyno-metadata", ()),
    ]
    feature_id = next(r.id for r in first.resources if r.kind == "Feature").split(":")[1]  # type: ignore[union-attr]
    assert writes_since(sandbox_state, mark, {web: "{web}", feature_id: "{feature}"}) == [
        ("PATCH", "/apps/{web}/features/{feature}", 200),
    ]
    assert again.warnings == (
        UNKEYED,
        "Formation web-formation-web: Pulumi's Formation delete sends nothing, so web dynos keep running and "
        "billing; scale them down: `heroku ps:scale web=0`",
    )


async def test_generated_secrets_are_kept_by_the_next_rehearsal_so_nothing_changes(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock
) -> None:
    spec = load_stack("staging", project_dir)
    first = await up(sandbox_transport, sandbox_clock, spec)

    again = await up(sandbox_transport, sandbox_clock, spec)
    rotated = await up(sandbox_transport, sandbox_clock, spec, secrets={"apps.web.secrets.SECRET_KEY": "rotated"})

    assert dict(again.secrets.sources) == {
        "apps.web.secrets.SECRET_KEY": "kept",
        "apps.web.secrets.MONGODB_URI": "kept",
    }
    assert again.manifest == first.manifest
    assert actions(rotated) == [("updated", "App web", ("sensitiveConfigVars",))]


async def test_after_a_failure_the_next_rehearsal_carries_on_from_what_was_done(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = with_web(load_stack("staging", project_dir), drains=(DrainSpec(secret_url=Secret(ciphertext="v1:x")),))
    with pytest.raises(RehearsalError):
        await up(sandbox_transport, sandbox_clock, spec, secrets={"apps.web.drains[0].secret_url": "ftp://bad"})
    mark = len(sandbox_state.requests.snapshot())

    again = await up(
        sandbox_transport, sandbox_clock, spec, secrets={"apps.web.drains[0].secret_url": "https://logs.example.com/t"}
    )

    # The drain stopped the first run; what came after it in creation order (the grant, the coupling) had not started.
    assert actions(again) == [
        ("created", "Drain web-drain-0", ()),
        ("created", "Collaborator web-collaborator-dev@shopsentiment.example", ()),
        ("created", "Coupling web-coupling", ()),
    ]
    assert [(m, status) for m, _, status in writes_since(sandbox_state, mark, {})] == [("POST", 201)] * 3


class TestConcurrency:
    @pytest.fixture
    def sandbox_delays(self) -> Delays:
        return Delays(addon=2.0)

    async def test_independent_resources_run_at_once_but_addons_are_created_one_at_a_time(
        self, project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
    ) -> None:
        done = await up(sandbox_transport, sandbox_clock, load_stack("staging", project_dir), parallel=8)

        log = [(e.method, e.path) for e in sandbox_state.requests.snapshot()]
        addon_posts = [i for i, (m, p) in enumerate(log) if m == "POST" and p.endswith("/addons")]
        provisioned = [i for i, (m, p) in enumerate(log) if m == "GET" and "/addons/" in p]
        feature = next(i for i, (m, p) in enumerate(log) if m == "PATCH" and "/features/" in p)
        # The provider's add-on lock: each add-on is polled to `provisioned` before the next is created.
        assert all(any(a < poll < b for poll in provisioned) for a, b in itertools.pairwise(addon_posts))
        # The feature does not wait for the add-ons: it is enabled while they provision.
        assert addon_posts[0] < feature < addon_posts[-1]
        assert {r.action for r in done.resources if r.kind in ("Addon", "Feature")} == {"created"}


def with_addons_named_as_before_stable_keys(plan: Plan) -> Plan:
    """The plan as the program made it when an add-on's logical name was its Heroku name (and had no alias)."""
    renamed = {r.ref: f"Addon {r.name}" for r in plan.resources if r.kind == "Addon"}
    resources = []
    for resource in plan.resources:
        if resource.kind == "Addon":
            resource = dataclasses.replace(resource, logical_name=resource.name, aliases=())
        resources.append(dataclasses.replace(resource, after=tuple(renamed.get(a, a) for a in resource.after)))
    return dataclasses.replace(plan, resources=tuple(resources))


async def test_an_addon_recorded_under_its_old_logical_name_is_found_by_its_alias_and_kept(
    project_dir: Path, sandbox_transport: SandboxTransport, sandbox_clock: FakeClock, sandbox_state: Sandbox
) -> None:
    spec = load_stack("staging", project_dir)
    old_plan = with_addons_named_as_before_stable_keys(plan_spec(spec, provider=ProviderSettings(url=SANDBOX_BASE_URL)))
    async with HerokuClient(
        base_url=SANDBOX_BASE_URL, token=SANDBOX_TOKEN, transport=sandbox_transport, clock=sandbox_clock
    ) as heroku:
        await rehearse(heroku, spec, sandbox_clock, plan=old_plan, parallel=1)
    mark = len(sandbox_state.requests.snapshot())

    again = await up(sandbox_transport, sandbox_clock, spec)

    assert writes_since(sandbox_state, mark, {}) == []
    assert [(r.action, r.ref) for r in again.resources if r.kind == "Addon"] == [
        ("unchanged", "Addon web-addon-heroku-redis"),
        ("unchanged", "Addon web-addon-newrelic"),
        ("unchanged", "Addon web-addon-papertrail"),
    ]
