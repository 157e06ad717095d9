"""`rehearse`: `pulumi up` of a stack, replayed against a local Heroku API (the sandbox) without the Pulumi CLI.

What is replayed is the OFFLINE PLAN of the stack, the resources the real program registers
under the SDK's mock engine (`infra.plan.plan_spec`), not a second reading of the spec: if the
program declares something, the rehearsal creates it; if it declares something the rehearsal
cannot replay, the rehearsal refuses before its first request. Resources are created one at a
time in dependency order, each with the requests terraform-provider-heroku v5.2.10 sends for
its type (`infra.rehearse.provider`), references resolved to the ids Heroku returned.

It only ever talks to a loopback API (127.0.0.0/8, ::1, localhost): real Heroku gets
`pulumi up`, never this. The result carries the stack outputs the program would export,
`manifest` included, with fingerprints of the secret values actually set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.clock import Clock
from infra.errors import HerokuError, RehearsalError
from infra.heroku import HerokuClient
from infra.plan import Plan, PlannedResource, plan_spec
from infra.plan.planner import PLAN_LOOKUPS
from infra.program import OUTPUT_NAMES, ProviderSettings
from infra.program.provider import is_loopback_url
from infra.rehearse.graph import creation_order
from infra.rehearse.inputs import Known, resolve_inputs
from infra.rehearse.provider import LOOKUP_SCRIPTS, ProviderOptions, check_replayable, script_for, sends_requests
from infra.rehearse.replay import replay
from infra.rehearse.secret_inputs import SecretValues, secret_values, with_values
from infra.spec.manifest import manifest
from infra.spec.models import StackSpec

CREATED = "created"  # made on Heroku
READ = "read"  # a data source the program reads (the pipeline, by name)
DECLARED = "declared"  # exists in Pulumi only: the provider, the app components


@dataclass(frozen=True)
class RehearsedResource:
    """One resource (or data source) of the plan after the rehearsal: what happened, its Heroku id, its cost."""

    ref: str
    kind: str
    name: str
    app: str | None
    action: str  # CREATED, READ or DECLARED
    id: str | None
    requests: int
    seconds: float


@dataclass(frozen=True)
class Rehearsal:
    """What a rehearsal did, and the stack outputs `pulumi up` would have exported."""

    plan: Plan
    api_url: str
    spec: StackSpec  # secrets hold the values that were set (never shown: `Secret`)
    secrets: SecretValues
    resources: tuple[RehearsedResource, ...]
    outputs: Mapping[str, Any]  # apps, pipeline, manifest
    requests: int
    seconds: float

    @property
    def manifest(self) -> dict[str, Any]:
        """The `manifest` stack output (`pulumi stack output manifest --json`)."""
        value: dict[str, Any] = self.outputs["manifest"]
        return value

    @property
    def app_ids(self) -> dict[str, str]:
        """App key -> Heroku app id."""
        return {key: str(app["id"]) for key, app in self.outputs["apps"].items()}

    @property
    def pipeline_id(self) -> str:
        return str(self.outputs["pipeline"]["id"])

    def with_action(self, action: str) -> tuple[RehearsedResource, ...]:
        """The resources created on Heroku (`CREATED`), the data sources read (`READ`), or Pulumi's own (`DECLARED`)."""
        return tuple(r for r in self.resources if r.action == action)


def require_loopback(api_url: str) -> None:
    """RehearsalError unless `api_url` is on this machine: the rehearsal never writes to a remote Heroku."""
    if not is_loopback_url(api_url):
        raise RehearsalError(
            f"refusing to rehearse against {api_url}: the rehearsal only talks to a local Heroku API "
            "(127.0.0.0/8, ::1, localhost), such as `heroku-stack sandbox`; set HEROKU_API_URL to it. "
            "Against real Heroku, run `pulumi up`."
        )


async def rehearse(
    heroku: HerokuClient,
    spec: StackSpec,
    clock: Clock,
    *,
    secrets: Mapping[str, str] | None = None,
    on_resource: Callable[[RehearsedResource], None] | None = None,
) -> Rehearsal:
    """Create everything the program declares for `spec` on the local API behind `heroku`, as `pulumi up` would.

    `secrets` maps config paths (``apps.web.secrets.SECRET_KEY``) to values; other secrets take the
    spec's decrypted value, else a random one. `on_resource` sees each resource once it exists.
    Refuses (RehearsalError, no request sent) a non-loopback `heroku.base_url`, an unknown secret
    path, or a plan with a resource or input it cannot replay; stops with RehearsalError naming the
    resource when Heroku refuses one (what was created before stays).
    """
    require_loopback(heroku.base_url)
    values = secret_values(spec, secrets)
    plan = await asyncio.to_thread(plan_spec, spec, provider=ProviderSettings(url=heroku.base_url))
    _check_plan(plan)
    order = creation_order(plan)
    options = ProviderOptions.from_inputs(next((r.inputs for r in plan.resources if r.kind == "Provider"), {}))
    started, sent_before = clock.monotonic(), heroku.stats.requests
    done: list[RehearsedResource] = []

    def record(rehearsed: RehearsedResource) -> None:
        done.append(rehearsed)
        if on_resource is not None:
            on_resource(rehearsed)

    looked_up = await _lookups(heroku, plan, clock, record)
    ids: dict[str, str] = {}
    outputs: dict[str, dict[str, str]] = {}
    for resource in order:
        begun, sent = clock.monotonic(), heroku.stats.requests
        resource_id: str | None = None
        if sends_requests(resource):
            inputs = resolve_inputs(resource, Known(ids, looked_up), values.values, spec)
            try:
                outputs[resource.ref] = await replay(heroku, script_for(resource, inputs, options), clock)
            except (HerokuError, RehearsalError) as err:
                raise _stopped(resource, err, done, values) from err
            resource_id = ids[resource.ref] = outputs[resource.ref]["id"]
        record(
            RehearsedResource(
                ref=resource.ref,
                kind=resource.kind,
                name=resource.name,
                app=resource.app,
                action=DECLARED if resource_id is None else CREATED,
                id=resource_id,
                requests=heroku.stats.requests - sent,
                seconds=clock.monotonic() - begun,
            )
        )
    applied = with_values(spec, values.values)
    return Rehearsal(
        plan=plan,
        api_url=heroku.base_url,
        spec=applied,
        secrets=values,
        resources=tuple(done),
        outputs=_stack_outputs(plan, applied, outputs, ids, looked_up),
        requests=heroku.stats.requests - sent_before,
        seconds=clock.monotonic() - started,
    )


def _check_plan(plan: Plan) -> None:
    """Everything that would stop the rehearsal midway for a reason known up front, before any request."""
    for resource in plan.resources:
        check_replayable(resource)
    for lookup in plan.lookups:
        if lookup.token not in LOOKUP_SCRIPTS or lookup.token not in PLAN_LOOKUPS:
            raise RehearsalError(f"the program reads the data source {lookup.token}, which the rehearsal cannot replay")
    extra = sorted(set(plan.outputs) - set(OUTPUT_NAMES))
    if extra:
        raise RehearsalError(f"the program exports {', '.join(extra)}, which the rehearsal cannot compute")


async def _lookups(
    heroku: HerokuClient, plan: Plan, clock: Clock, record: Callable[[RehearsedResource], None]
) -> dict[str, str]:
    """Each data source read as the provider reads it; plan placeholder -> the value Heroku returned."""
    found: dict[str, str] = {}
    for lookup in plan.lookups:
        placeholder = PLAN_LOOKUPS[lookup.token](lookup.args)
        begun, sent = clock.monotonic(), heroku.stats.requests
        try:
            answer = await replay(heroku, LOOKUP_SCRIPTS[lookup.token](lookup.args), clock)
        except HerokuError as err:
            raise RehearsalError(
                f"stopped before creating anything: reading {lookup.token}({dict(lookup.args)}) failed: {err}. "
                "A stack that looks the pipeline up needs the owner stack rehearsed first"
            ) from err
        found[str(placeholder["id"])] = answer["id"]
        kind = lookup.token.rsplit(":", 1)[-1]
        name = str(lookup.args.get("name", ""))
        record(
            RehearsedResource(
                ref=f"{kind} {name}",
                kind=kind,
                name=name,
                app=None,
                action=READ,
                id=answer["id"],
                requests=heroku.stats.requests - sent,
                seconds=clock.monotonic() - begun,
            )
        )
    return found


def _stopped(
    resource: PlannedResource, err: Exception, done: list[RehearsedResource], values: SecretValues
) -> RehearsalError:
    created = sum(1 for r in done if r.action == CREATED)
    message = str(err)
    for value in values.values.values():
        if value:
            message = message.replace(value, "[secret]")  # Heroku may echo what it refused
    where = f"{resource.ref} ({resource.name})" if resource.name != resource.logical_name else resource.ref
    return RehearsalError(
        f"stopped at {where} after creating {created} resource(s): {message}. "
        "What was created stays; reset the sandbox (POST /__sandbox/reset) to start again"
    )


def _stack_outputs(
    plan: Plan,
    spec: StackSpec,
    outputs: Mapping[str, Mapping[str, str]],
    ids: Mapping[str, str],
    looked_up: Mapping[str, str],
) -> dict[str, Any]:
    """`apps`, `pipeline` and `manifest` as `infra.program.stack.StackResources.outputs` exports them."""
    apps = {}
    for resource in plan.resources:
        if resource.kind == "App" and resource.app is not None:
            out = outputs[resource.ref]
            apps[resource.app] = {"id": out["id"], "name": out["name"], "web_url": out["web_url"]}
    owned = [ids[r.ref] for r in plan.resources if r.kind == "Pipeline"]
    # Otherwise the pipeline is the one data source the program reads.
    pipeline_id = owned[0] if owned else next(iter(looked_up.values()), None)
    return {
        "apps": apps,
        "pipeline": {"name": plan.pipeline, "id": pipeline_id},
        "manifest": manifest(spec),
    }
