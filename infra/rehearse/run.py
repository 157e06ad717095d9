"""`rehearse`: `pulumi up` of a stack, replayed against a local Heroku API (the sandbox) without the Pulumi CLI.

What is replayed is the OFFLINE PLAN of the stack, the resources the real program registers
under the SDK's mock engine (`infra.plan.plan_spec`), not a second reading of the spec: if the
program declares something, the rehearsal creates it; if it declares something the rehearsal
cannot replay, the rehearsal refuses before its first request.

Like `pulumi up`, it works from the stack's state (`infra.rehearse.state`, kept by the sandbox):
the engine's diff (`infra.rehearse.changes`) decides per resource whether to create, update,
replace, delete or leave it, and each gets the requests terraform-provider-heroku v5.2.10 sends
for that (`infra.rehearse.provider`), references resolved to the ids Heroku returned. Independent
resources run concurrently, up to `parallel` at once as the engine does (add-on creates one at a
time: the provider holds a lock through provisioning); replaced resources are deleted at the end
(first, with `delete_before_replace`), then resources the plan no longer declares, dependants
first. `preview=True` stops after the diff: an offline `pulumi preview` of a change, no write.

It only ever talks to a loopback API (127.0.0.0/8, ::1, localhost): real Heroku gets
`pulumi up`, never this. The result carries the stack outputs the program would export,
`manifest` included, with fingerprints of the secret values actually set.
"""

from __future__ import annotations

import asyncio
import heapq
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.clock import Clock
from infra.errors import HerokuError, RehearsalError
from infra.heroku import HerokuClient
from infra.plan import Plan, PlannedResource, plan_spec
from infra.plan.planner import PLAN_LOOKUPS
from infra.program import GET_TEAM_INVOKE, OUTPUT_NAMES, ProviderSettings
from infra.program.pipeline import STACK_REFERENCE_TYPE
from infra.rehearse.changes import Step, changes
from infra.rehearse.graph import creation_order, dependencies
from infra.rehearse.inputs import Known, resolve_inputs
from infra.rehearse.provider import (
    LOOKUP_SCRIPTS,
    RESOURCE_TYPES,
    Change,
    ProviderOptions,
    check_replayable,
    delete_script,
    script_for,
    sends_requests,
    update_script,
)
from infra.rehearse.replay import Replayed, replay
from infra.rehearse.secret_inputs import FINGERPRINT_KEY, SecretValues, secret_values, with_values
from infra.rehearse.state import RehearsalState, StateBackend, StateResource
from infra.sandbox.profiles import AppProfile
from infra.spec.manifest import Manifest, manifest
from infra.spec.models import StackSpec
from infra.urls import is_loopback_url

CREATED = "created"  # made on Heroku
UPDATED = "updated"  # changed in place
REPLACED = "replaced"  # a new one made, the old one deleted
DELETED = "deleted"  # no longer declared, deleted
UNCHANGED = "unchanged"  # recorded with the same inputs: nothing sent
READ = "read"  # a data source or another stack's outputs the program reads
DECLARED = "declared"  # exists in Pulumi only: the provider, the app components

_DONE = {"create": CREATED, "update": UPDATED, "replace": REPLACED, "delete": DELETED, "same": UNCHANGED}
DEFAULT_PARALLEL = 4 * (os.cpu_count() or 1)  # `pulumi up --parallel`'s default: 4 per CPU


@dataclass(frozen=True)
class RehearsedResource:
    """One resource (or data source) of the plan after the rehearsal: what happened, its Heroku id, its cost."""

    ref: str
    kind: str
    name: str
    app: str | None
    action: str  # CREATED, UPDATED, REPLACED, DELETED, UNCHANGED, READ or DECLARED
    id: str | None
    requests: int
    seconds: float
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rehearsal:
    """What a rehearsal did (or, previewed, would do), and the stack outputs `pulumi up` would have exported."""

    plan: Plan
    api_url: str
    spec: StackSpec  # secrets hold the values that were set (never shown: `Secret`)
    secrets: SecretValues
    resources: tuple[RehearsedResource, ...]
    outputs: Mapping[str, Any]  # apps, pipeline, manifest; empty for a preview
    requests: int
    seconds: float
    steps: tuple[Step, ...] = ()
    previewed: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def manifest(self) -> Manifest:
        """The `manifest` stack output (`pulumi stack output manifest --json`)."""
        return Manifest.model_validate(self.outputs["manifest"])

    @property
    def app_ids(self) -> dict[str, str]:
        """App key -> Heroku app id."""
        return {key: str(app["id"]) for key, app in self.outputs["apps"].items()}

    @property
    def pipeline_id(self) -> str:
        return str(self.outputs["pipeline"]["id"])

    def with_action(self, action: str) -> tuple[RehearsedResource, ...]:
        """The resources with that outcome (`CREATED`, `UPDATED`, `UNCHANGED`, `READ`, `DECLARED`, ...)."""
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
    preview: bool = False,
    parallel: int = DEFAULT_PARALLEL,
    plan: Plan | None = None,
    profiles: Mapping[str, AppProfile] | None = None,
) -> Rehearsal:
    """`pulumi up` (or, with `preview`, `pulumi preview`) of `spec` on the local API behind `heroku`.

    `secrets` maps config paths (``apps.web.secrets.SECRET_KEY``) to values; other secrets take the
    spec's decrypted value, the previous rehearsal's, else a random one. `on_resource` sees each
    resource once it is done. `plan` replaces the stack's offline plan (tests of what the provider
    does with another program). Refuses (RehearsalError, no write sent) a non-loopback
    `heroku.base_url`, an unknown secret path, a plan it cannot replay, or a protected resource
    that would be replaced or deleted; stops with RehearsalError naming the resource when Heroku
    refuses one (what was done before stays, and is recorded in the state). `profiles` (by app key,
    from the project's `sandbox.yaml`) say how the apps behave on the sandbox; they are installed
    before anything is created.
    """
    if parallel < 1:
        raise RehearsalError(f"--parallel must be at least 1 (got {parallel})")
    require_loopback(heroku.base_url)
    backend = StateBackend(heroku.base_url, transport=heroku.transport)
    try:
        state = await backend.load(spec.project, spec.stack)
        values = secret_values(spec, secrets, previous=state.secrets if state else None)
        if plan is None:
            plan = await asyncio.to_thread(plan_spec, spec, provider=ProviderSettings(url=heroku.base_url))
        _check_plan(plan)
        if not preview:
            for key, profile in (profiles or {}).items():
                if key in spec.apps:
                    await backend.install_profile(spec.apps[key].name, profile)
        run = _Run(heroku, spec, clock, plan, values, state, backend, parallel, on_resource)
        return await run.go(preview=preview)
    finally:
        await backend.aclose()


class _Run:
    """One rehearsal: the diff, then its steps, with the state kept up to date as they finish."""

    def __init__(
        self,
        heroku: HerokuClient,
        spec: StackSpec,
        clock: Clock,
        plan: Plan,
        values: SecretValues,
        state: RehearsalState | None,
        backend: StateBackend,
        parallel: int,
        on_resource: Callable[[RehearsedResource], None] | None,
    ) -> None:
        self.heroku, self.spec, self.clock, self.plan = heroku, spec, clock, plan
        self.values, self.state, self.backend = values, state, backend
        self.options = ProviderOptions.from_inputs(next((r.inputs for r in plan.resources if r.kind == "Provider"), {}))
        self.order = creation_order(plan)
        self.graph = dependencies(plan)
        self.parallel = parallel
        self.addon_lock = asyncio.Lock()
        self.on_resource = on_resource
        self.done: list[RehearsedResource] = []
        self.ids: dict[str, str] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.warnings: list[str] = []
        self.started = clock.monotonic()
        self.sent = 0

    # --- the diff ---------------------------------------------------------------------------

    async def go(self, *, preview: bool) -> Rehearsal:
        looked_up = await self._lookups()
        referenced = await self._references()
        for ref, outputs in referenced.items():
            self.outputs[ref] = outputs
        known = Known(ids={}, looked_up=looked_up, outputs=referenced)
        steps = changes(self.order, self.state, self._resolver(looked_up), known)
        self.looked_up = looked_up
        self.warnings += _warnings(steps)
        if self.spec.fingerprint_key is not None and FINGERPRINT_KEY not in self.values.values:
            self.warnings.append(
                "fingerprint_key is still encrypted (set PULUMI_CONFIG_PASSPHRASE, or --secret fingerprint_key=...): "
                "the manifest's fingerprints are not keyed, unlike the ones `pulumi up` exports"
            )
        if preview:
            return self._result(tuple(steps), previewed=True)
        try:
            await self._apply(steps)
        except (HerokuError, RehearsalError) as err:
            await self._save(failed=True)
            raise self._stopped(err) from err
        await self._save(failed=False)
        return self._result(tuple(steps), previewed=False)

    def _resolver(self, looked_up: Mapping[str, str]) -> Callable[[PlannedResource, Known], dict[str, Any]]:
        def resolve(resource: PlannedResource, known: Known) -> dict[str, Any]:
            if not sends_requests(resource):
                return dict(resource.inputs)  # Pulumi-only: compared as declared (secrets stay masked)
            merged = Known(
                ids={**known.ids},
                looked_up=looked_up,
                outputs={**self.outputs, **known.outputs},
                pending=known.pending,
            )
            return resolve_inputs(resource, merged, self.values.values, self.spec)

        return resolve

    async def _lookups(self) -> dict[str, str]:
        """Each data source read as the provider reads it; plan placeholder -> the value Heroku returned."""
        found: dict[str, str] = {}
        for lookup in self.plan.lookups:
            placeholder = PLAN_LOOKUPS[lookup.token](lookup.args)
            begun = self.clock.monotonic()
            try:
                answer = await replay(self.heroku, LOOKUP_SCRIPTS[lookup.token](lookup.args), self.clock)
            except HerokuError as err:
                hint = (
                    "The stack's Heroku Team must exist first: made in the Dashboard on Heroku; on the sandbox, "
                    "`heroku-stack sandbox` starts with the teams the stack files name (or --team NAME)"
                    if lookup.token == GET_TEAM_INVOKE
                    else "A stack that looks the pipeline up needs the owner stack rehearsed first"
                )
                raise RehearsalError(
                    f"stopped before changing anything: reading {lookup.token}({dict(lookup.args)}) failed: {err}. "
                    + hint
                ) from err
            self.sent += answer.requests
            found[str(placeholder["id"])] = answer.outputs["id"]
            kind = lookup.token.rsplit(":", 1)[-1]
            name = str(lookup.args.get("name", ""))
            self._record(
                RehearsedResource(
                    f"{kind} {name}", kind, name, None, READ, answer.outputs["id"], answer.requests, self._since(begun)
                )
            )
        return found

    async def _references(self) -> dict[str, dict[str, Any]]:
        """Each StackReference's outputs from the referenced stack's rehearsal state, flat: `outputs.pipeline.id`."""
        found: dict[str, dict[str, Any]] = {}
        for resource in self.plan.resources:
            if resource.type != STACK_REFERENCE_TYPE:
                continue
            parts = resource.logical_name.split("/")
            project, stack = (parts[-2], parts[-1]) if len(parts) == 3 else (self.spec.project, parts[-1])
            other = await self.backend.load(project, stack)
            if other is None:
                raise RehearsalError(
                    f"stopped before changing anything: {resource.ref} reads stack {project}/{stack}, which was "
                    f"never rehearsed on this sandbox; rehearse it first (`heroku-stack rehearse {stack}`), as "
                    f"`pulumi up` of that stack must come first"
                )
            found[resource.ref] = {"id": resource.logical_name, **_flatten({"outputs": other.outputs})}
            self._record(RehearsedResource(resource.ref, resource.kind, resource.name, None, READ, None, 0, 0.0))
        return found

    # --- carrying it out --------------------------------------------------------------------

    async def _apply(self, steps: list[Step]) -> None:
        """Each planned resource's step as soon as what it depends on is done, at most `parallel` at once, in
        creation order among those ready (as the engine starts them); then the deletions, dependants first."""
        planned = [s for s in steps if s.resource is not None]
        position = {s.ref: index for index, s in enumerate(planned)}
        waiting = {s.ref: {d for d in self.graph.get(s.ref, ()) if d in position} for s in planned}
        dependants: dict[str, list[str]] = {ref: [] for ref in position}
        for ref, needs in waiting.items():
            for need in needs:
                dependants[need].append(ref)
        ready = [position[ref] for ref, needs in waiting.items() if not needs]
        heapq.heapify(ready)
        running: dict[asyncio.Task[StateResource | None], str] = {}
        later_deletes: list[StateResource] = []
        failure: BaseException | None = None
        while ready or running:
            while ready and len(running) < self.parallel and failure is None:
                step = planned[heapq.heappop(ready)]
                running[asyncio.ensure_future(self._one(step))] = step.ref
            if not running:
                break
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                ref = running.pop(task)
                try:
                    old = task.result()
                except (HerokuError, RehearsalError) as err:
                    failure = failure or err  # let what is in flight finish, start nothing new
                    continue
                if old is not None:
                    later_deletes.append(old)
                for dependant in dependants[ref]:
                    waiting[dependant].discard(ref)
                    if not waiting[dependant]:
                        heapq.heappush(ready, position[dependant])
        if failure is not None:
            raise failure
        declared = {r.ref for r in self.order}
        removed = [s.old for s in steps if s.action == "delete" and s.old is not None]
        order = [r.ref for r in (self.state.resources if self.state else [])]
        for old in sorted([*later_deletes, *removed], key=lambda r: -order.index(r.ref) if r.ref in order else 0):
            await self._delete(old, replaced=old.ref in declared)

    async def _one(self, step: Step) -> StateResource | None:
        """Carry out one planned resource's step; the old resource to delete at the end, if it was replaced."""
        resource, old = step.resource, step.old
        assert resource is not None
        begun = self.clock.monotonic()
        if step.action == "read":
            return None  # read before the diff (`_references`)
        if not sends_requests(resource):
            self.inputs[resource.ref] = dict(resource.inputs)
            self._record(
                RehearsedResource(resource.ref, resource.kind, resource.name, resource.app, DECLARED, None, 0, 0.0)
            )
            return None
        inputs = self._resolve_now(resource, step)
        if step.action == "same":
            assert old is not None
            self._keep(resource, old.id, old.outputs, old.inputs)
            self._record(self._rehearsed(step, old.id, 0, begun))
            return None
        requests = 0
        if step.action == "replace" and old is not None and resource.delete_before_replace:
            requests += await self._delete(old, replaced=True, quiet=True)
            old = None
        if step.action == "update":
            assert old is not None
            assert old.id is not None
            change = Change(old.id, old.outputs, old.inputs, inputs, frozenset(step.changed))
            done = await self._play(resource, update_script(resource.type, change, self.options))
            outputs = {**old.outputs, **done.outputs}
        else:
            done = await self._play(resource, script_for(resource, inputs, self.options))
            outputs = dict(done.outputs)
        requests += done.requests
        self._keep(resource, outputs["id"], outputs, _as_stored(resource, inputs, done))
        self._record(self._rehearsed(step, outputs["id"], requests, begun))
        return old if step.action == "replace" else None

    def _resolve_now(self, resource: PlannedResource, step: Step) -> dict[str, Any]:
        known = Known(ids=dict(self.ids), looked_up=self.looked_up, outputs=dict(self.outputs))
        inputs = resolve_inputs(resource, known, self.values.values, self.spec)
        if step.old is not None:
            for key in resource.ignore_changes:
                if key in step.old.inputs:
                    inputs[key] = step.old.inputs[key]
        return inputs

    async def _play(self, resource: PlannedResource, script: Any) -> Replayed:
        serialized = RESOURCE_TYPES[resource.type].serialized
        try:
            if serialized:
                async with self.addon_lock:
                    done = await replay(self.heroku, script, self.clock)
            else:
                done = await replay(self.heroku, script, self.clock)
        except (HerokuError, RehearsalError) as err:
            raise _At(resource, err) from err
        self.sent += done.requests
        return done

    async def _delete(self, old: StateResource, *, replaced: bool, quiet: bool = False) -> int:
        begun = self.clock.monotonic()
        requests = 0
        if old.id is not None and old.type in RESOURCE_TYPES:
            try:
                done = await replay(self.heroku, delete_script(old.type, old.id, old.inputs), self.clock)
            except (HerokuError, RehearsalError) as err:
                raise _At(old, err) from err
            self.sent += done.requests
            requests = done.requests
        if old.type == "heroku:formation/formation:Formation":
            process = old.inputs.get("type")
            self.warnings.append(
                f"{old.ref}: Pulumi's Formation delete sends nothing, so {process} dynos keep running and billing; "
                f"scale them down: `heroku ps:scale {process}=0`"
            )
        if not replaced:
            self.deleted.add(old.ref)
        if not quiet:
            kind = old.ref.split(" ", 1)[0]
            action = DELETED
            self._record(
                RehearsedResource(old.ref, kind, old.name, old.app, action, old.id, requests, self._since(begun))
            )
        return requests

    def _keep(
        self, resource: PlannedResource, resource_id: str | None, outputs: Mapping[str, Any], inputs: Any
    ) -> None:
        if resource_id is not None:
            self.ids[resource.ref] = resource_id
        self.outputs[resource.ref] = dict(outputs)
        self.inputs[resource.ref] = dict(inputs)

    def _rehearsed(self, step: Step, resource_id: str | None, requests: int, begun: float) -> RehearsedResource:
        resource = step.resource
        assert resource is not None
        return RehearsedResource(
            resource.ref,
            resource.kind,
            resource.name,
            resource.app,
            _DONE[step.action],
            resource_id,
            requests,
            self._since(begun),
            step.changed,
        )

    def _record(self, rehearsed: RehearsedResource) -> None:
        self.done.append(rehearsed)
        if self.on_resource is not None:
            self.on_resource(rehearsed)

    def _since(self, begun: float) -> float:
        return self.clock.monotonic() - begun

    # --- the result and the state -------------------------------------------------------------

    def _stack_outputs(self) -> dict[str, Any]:
        applied = with_values(self.spec, self.values.values)
        apps = {}
        for resource in self.plan.resources:
            if resource.kind == "App" and resource.app is not None and resource.ref in self.outputs:
                out = self.outputs[resource.ref]
                apps[resource.app] = {"id": out["id"], "name": out["name"], "web_url": out["web_url"]}
        pipeline_id = next(
            (self.ids[r.ref] for r in self.plan.resources if r.kind == "Pipeline" and r.ref in self.ids), None
        )
        if pipeline_id is None:  # a stack that does not own the pipeline reads its id
            pipeline_id = next(iter(self.looked_up.values()), None)
        if pipeline_id is None:
            pipeline_id = next(
                (o.get("outputs.pipeline.id") for o in self.outputs.values() if "outputs.pipeline.id" in o), None
            )
        return {
            "apps": apps,
            "pipeline": {"name": self.plan.pipeline, "id": pipeline_id},
            "manifest": manifest(applied).document(),
        }

    async def _save(self, *, failed: bool) -> None:
        """Record every resource as it now stands; after a failure, also what was not reached (as it was)."""
        recorded = self.state.by_ref() if self.state is not None else {}
        resources: list[StateResource] = []
        for resource in self.order:
            if resource.read or resource.ref not in self.inputs:
                if failed and resource.ref in recorded and resource.ref not in self.inputs:
                    resources.append(recorded[resource.ref])
                continue
            resources.append(
                StateResource(
                    ref=resource.ref,
                    type=resource.type,
                    name=resource.name,
                    app=resource.app,
                    id=self.ids.get(resource.ref),
                    inputs=self.inputs[resource.ref],
                    outputs=self.outputs.get(resource.ref, {}),
                    protect=resource.protect,
                    delete_before_replace=resource.delete_before_replace,
                    dependencies=list(self.graph.get(resource.ref, ())),
                )
            )
        if failed:  # resources not declared any more and not yet deleted stay recorded, for the next run
            planned = {r.ref for r in self.order}
            resources += [r for ref, r in recorded.items() if ref not in planned and ref not in self.deleted]
        outputs = self._stack_outputs() if not failed else (self.state.outputs if self.state else {})
        await self.backend.save(
            RehearsalState(
                project=self.spec.project,
                stack=self.spec.stack,
                resources=resources,
                outputs={k: v for k, v in outputs.items() if k in OUTPUT_NAMES},
                secrets=dict(self.values.values),
            )
        )

    def _result(self, steps: tuple[Step, ...], *, previewed: bool) -> Rehearsal:
        return Rehearsal(
            plan=self.plan,
            api_url=self.heroku.base_url,
            spec=with_values(self.spec, self.values.values),
            secrets=self.values,
            resources=tuple(self.done),
            outputs={} if previewed else self._stack_outputs(),
            requests=self.sent,
            seconds=self._since(self.started),
            steps=steps,
            previewed=previewed,
            warnings=tuple(self.warnings),
        )

    def _stopped(self, err: Exception) -> RehearsalError:
        where = err.where if isinstance(err, _At) else "the rehearsal"
        cause = err.cause if isinstance(err, _At) else err
        changed = sum(1 for r in self.done if r.action in (CREATED, UPDATED, REPLACED, DELETED))
        message = str(cause)
        for value in self.values.values.values():
            if value:
                message = message.replace(value, "[secret]")  # Heroku may echo what it refused
        return RehearsalError(
            f"stopped at {where} after {changed} change(s): {message}. What was done is recorded: fix the cause "
            "and rehearse again to carry on, or reset the sandbox (POST /__sandbox/reset) to start over"
        )


class _At(RehearsalError):
    """A failure at one resource (its `where`), kept until the run has finished what was in flight."""

    def __init__(self, resource: PlannedResource | StateResource, cause: Exception) -> None:
        name = resource.name
        logical = resource.ref.split(" ", 1)[1]
        self.where = f"{resource.ref} ({name})" if name != logical else resource.ref
        self.cause = cause
        super().__init__(f"{self.where}: {cause}")


def _as_stored(resource: PlannedResource, inputs: Mapping[str, Any], done: Replayed) -> dict[str, Any]:
    """The inputs as the provider's state holds them after its read-back (where that differs from what was sent)."""
    stored = dict(inputs)
    installed = done.answers.get("buildpacks")
    if resource.kind == "App" and isinstance(installed, list) and "buildpacks" in stored:
        # resourceHerokuAppRead stores each installation's registry name, not what the program gave.
        stored["buildpacks"] = [b.get("buildpack", {}).get("name") for b in installed if isinstance(b, dict)]
    return stored


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _warnings(steps: list[Step]) -> list[str]:
    return [
        f"{s.ref} will be replaced ({', '.join(s.forces)} cannot change in place)"
        for s in steps
        if s.action == "replace"
    ]


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
