"""The offline plan as plain data: what `pulumi up` would create, secrets masked.

Built from a mock-engine run (`Plan.from_run`), by pure functions. Every value is
JSON-ready. Two notations stand in for what only the real engine knows:

* ``[secret]``: an input registered as a Pulumi secret; its value is never shown (and the
  plan never has it: stack-file secrets stay encrypted).
* ``<Kind logical-name>``: a value another resource provides during `pulumi up` (its id),
  e.g. ``appId: <App web>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.plan.engine import Invocation, ProgramRun, Registration, decode_json_input
from infra.spec.models import StackSpec

PLAN_SCHEMA = "heroku-stack/plan@1"
MASK = "[secret]"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
DYNAMIC_PROVIDER_INPUT = "__provider"  # a dynamic resource's serialized provider: code, not configuration

# Display order of resource kinds inside one app (and stack-level kinds first).
KIND_ORDER = (
    "Provider",
    "StackReference",
    "Pipeline",
    "Member",
    "HerokuApp",
    "App",
    "Addon",
    "Attachment",
    "Domain",
    "Feature",
    "Build",
    "ReleasePhase",
    "Formation",
    "Drain",
    "Collaborator",
    "Coupling",
)


@dataclass(frozen=True)
class PlannedResource:
    """One resource `pulumi up` would create, as the program declared it."""

    type: str
    kind: str
    logical_name: str
    name: str
    app: str | None
    role: str
    inputs: Mapping[str, Any]
    protect: bool
    ignore_changes: tuple[str, ...]
    after: tuple[str, ...]
    provider: str | None
    delete_before_replace: bool = False
    aliases: tuple[str, ...] = ()  # logical names it had before: the engine finds it in the state by these too
    read: bool = False  # read at `pulumi up` (another stack's outputs), never created

    @property
    def ref(self) -> str:
        """How other resources and the plan's text refer to this one: ``<kind> <logical name>``."""
        return f"{self.kind} {self.logical_name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "kind": self.kind,
            "logical_name": self.logical_name,
            "name": self.name,
            "app": self.app,
            "role": self.role,
            "inputs": dict(self.inputs),
            "protect": self.protect,
            "ignore_changes": list(self.ignore_changes),
            "after": list(self.after),
            "provider": self.provider,
            "delete_before_replace": self.delete_before_replace,
            "aliases": list(self.aliases),
            "read": self.read,
        }


@dataclass(frozen=True)
class Lookup:
    """A data source the program reads during `pulumi up` (e.g. the pipeline, by name)."""

    token: str
    args: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "args": dict(self.args)}


@dataclass(frozen=True)
class Plan:
    """Everything the offline plan of one stack says."""

    project: str
    stack: str
    stage: str
    pipeline: str
    pipeline_owner: str
    owns_pipeline: bool
    apps: tuple[str, ...]
    resources: tuple[PlannedResource, ...]
    lookups: tuple[Lookup, ...]
    outputs: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def protected(self) -> tuple[PlannedResource, ...]:
        return tuple(r for r in self.resources if r.protect)

    def for_app(self, key: str | None) -> tuple[PlannedResource, ...]:
        return tuple(r for r in self.resources if r.app == key)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": PLAN_SCHEMA,
            "project": self.project,
            "stack": self.stack,
            "stage": self.stage,
            "pipeline": {"name": self.pipeline, "owner_stage": self.pipeline_owner, "owned": self.owns_pipeline},
            "apps": list(self.apps),
            "resources": [r.to_json() for r in self.resources],
            "lookups": [lookup.to_json() for lookup in self.lookups],
            "outputs": list(self.outputs),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_run(cls, spec: StackSpec, run: ProgramRun[Any], *, outputs: Iterable[str] = ()) -> Plan:
        """The plan of `spec` from what its program registered under the mock engine."""
        return cls(
            project=spec.project,
            stack=spec.stack,
            stage=spec.stage,
            pipeline=spec.pipeline,
            pipeline_owner=spec.pipeline_owner,
            owns_pipeline=spec.owns_pipeline,
            apps=tuple(spec.apps),
            resources=planned_resources(run.registrations, app_order=tuple(spec.apps)),
            lookups=tuple(_lookup(i) for i in run.invocations),
            outputs=tuple(outputs),
            warnings=tuple(m.message for m in run.messages if m.severity in ("warning", "error")),
        )


def planned_resources(
    registrations: Iterable[Registration], *, app_order: tuple[str, ...]
) -> tuple[PlannedResource, ...]:
    """Registrations as planned resources, sorted stack-level first, then per app in `app_order`."""
    regs = list(registrations)
    refs = {r.urn: f"{kind_of(r.type)} {r.name}" for r in regs}
    ids = {r.urn: r.id for r in regs}
    components = {r.urn: r.name for r in regs if not r.custom}
    planned: list[PlannedResource] = []
    roles_seen: set[tuple[str | None, str]] = set()
    for r in sorted(regs, key=lambda r: _order(r, components, app_order)):
        app = components.get(r.urn) if not r.custom else components.get(r.parent)
        role = _unique_role(_role(r), app, roles_seen)
        referenced = {dep for deps in r.property_dependencies.values() for dep in deps}
        # A component's provider map serves only its own package's resources (not a dynamic one's).
        provider_urn = r.provider or r.providers.get(r.type.split(":", 1)[0], "")
        planned.append(
            PlannedResource(
                type=r.type,
                kind=kind_of(r.type),
                logical_name=r.name,
                name=_display_name(r),
                app=app,
                role=role,
                inputs=_display_inputs(r, refs, ids),
                protect=r.protect,
                ignore_changes=r.ignore_changes,
                after=tuple(sorted(refs[d] for d in r.dependencies if d not in referenced and d in refs)),
                provider=refs.get(provider_urn.rsplit("::", 1)[0]) if provider_urn else None,
                delete_before_replace=r.delete_before_replace,
                aliases=r.aliases,
                read=r.read,
            )
        )
    return tuple(planned)


def kind_of(type_token: str) -> str:
    """The short kind of a type token: ``heroku:app/app:App`` -> ``App``; providers -> ``Provider``.

    Dynamic resources are named by their class (``pulumi-python:dynamic/heroku-stack:ReleasePhase``).
    """
    if type_token.startswith(PROVIDER_TYPE_PREFIX):
        return "Provider"
    return type_token.rsplit(":", 1)[-1]


def _order(r: Registration, components: Mapping[str, str], app_order: tuple[str, ...]) -> tuple[int, int, str]:
    app = components.get(r.urn) if not r.custom else components.get(r.parent)
    app_rank = -1 if app is None else (app_order.index(app) if app in app_order else len(app_order))
    kind = kind_of(r.type)
    kind_rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return app_rank, kind_rank, r.name


def _role(r: Registration) -> str:
    """A resource's identity that is the same in every stack (the Heroku names are not)."""
    kind = kind_of(r.type)
    inputs = r.inputs
    by_kind = {
        "Provider": "provider",
        "Pipeline": "pipeline",
        "StackReference": "pipeline",  # the owner stack's pipeline, read: pairs with the Pipeline another stack creates
        "HerokuApp": "component",
        "App": "app",
        "Build": "build",
        "ReleasePhase": "release-phase",
        "Coupling": "coupling",
        "Addon": f"addon {_addon_key(r)}",
        "Attachment": f"attachment {inputs.get('name')}",
        "Domain": f"domain {inputs.get('hostname')}",
        "Feature": f"feature {inputs.get('name')}",
        "Formation": f"formation {inputs.get('type')}",
        "Drain": "drain",
        "Collaborator": f"collaborator {str(inputs.get('email', '')).lower()}",
        "Member": f"team member {str(inputs.get('email', '')).lower()}",
    }
    return by_kind.get(kind, f"{kind} {r.name}")


def _addon_key(r: Registration) -> str:
    # The stable key the logical name ends with (the service unless the stack names one): the same in every stack.
    if "-addon-" in r.name:
        return r.name.split("-addon-", 1)[1]
    return str(r.inputs.get("plan", "")).split(":", 1)[0]


def _unique_role(role: str, app: str | None, seen: set[tuple[str | None, str]]) -> str:
    # A service used twice in one app (two databases) is numbered, as the promotion diff does: x, x#2.
    candidate, n = role, 1
    while (app, candidate) in seen:
        n += 1
        candidate = f"{role}#{n}"
    seen.add((app, candidate))
    return candidate


def _display_name(r: Registration) -> str:
    kind = kind_of(r.type)
    key = {"Domain": "hostname", "Formation": "type", "Coupling": "stage"}.get(kind, "name")
    if kind == "Build":
        source = r.inputs.get("source")
        return str(source.get("version")) if isinstance(source, dict) else r.name
    if kind == "Drain":
        return MASK if r.is_secret("sensitiveUrl") else str(r.inputs.get("url", r.name))
    value = r.inputs.get(key)
    if r.is_secret(key):
        return MASK
    return str(value) if isinstance(value, str) else r.name


def _display_inputs(r: Registration, refs: Mapping[str, str], ids: Mapping[str, str]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key in sorted(r.inputs):
        if key == DYNAMIC_PROVIDER_INPUT:
            continue
        deps = r.property_dependencies.get(key, ())
        if deps:
            shown[key] = _reference(r.inputs[key], deps, refs, ids)
            continue
        value = r.inputs[key]
        if kind_of(r.type) == "Provider":
            value = decode_json_input(value)
        shown[key] = _masked(value, (key,), r)
    return shown


def _reference(value: Any, deps: tuple[str, ...], refs: Mapping[str, str], ids: Mapping[str, str]) -> str:
    """``<App web>`` for another resource's id; ``<Build web-build>.releaseId`` for one of its computed outputs."""
    if isinstance(value, str):
        for dep in deps:
            prefix = f"{ids.get(dep)}."
            if value.startswith(prefix):
                return f"<{refs.get(dep, dep)}>.{value.removeprefix(prefix)}"
    return ", ".join(f"<{refs.get(d, d)}>" for d in sorted(deps))


def _masked(value: Any, path: tuple[str, ...], r: Registration) -> Any:
    if r.is_secret(*path):
        return dict.fromkeys(sorted(value), MASK) if isinstance(value, dict) else MASK
    if isinstance(value, dict):
        return {k: _masked(value[k], (*path, k), r) for k in sorted(value)}
    if isinstance(value, list):
        return [_masked(v, (*path, str(i)), r) for i, v in enumerate(value)]
    return value


def _lookup(invocation: Invocation) -> Lookup:
    return Lookup(token=invocation.token, args=dict(invocation.args))
