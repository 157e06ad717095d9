"""What a change to a stack would do to what `pulumi up` already made: update, replace or delete, and the danger in it.

`changes_between(before, after)` compares two plans of one stack (the committed stack file and
the edited one) resource by resource, the way the engine and terraform-provider-heroku v5.2.10
would: an input the provider cannot change in place (`ForceNew` in its schema, `FORCE_NEW`
below, read from `heroku/resource_heroku_*.go` at the tag) replaces the resource; a resource the
program no longer declares is deleted. `hazards()` names the changes that lose something or leave
something behind, with what to do instead:

* an app replaced or deleted: Heroku deletes its add-ons (and their data), domains and config with
  it, and a new app cannot take the name while the old one exists;
* a data add-on (Postgres, Redis, Kafka, Mongo services) replaced or deleted: a new, empty one;
* a process type removed: the provider's Formation delete sends nothing, so its dynos keep
  running and billing.

The rehearsal uses the same table for its own diff, so the plan and a rehearsed `pulumi up` agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from infra.plan.model import Plan, PlannedResource
from infra.spec.rules import DATA_ADDON_SERVICES

ALL = frozenset({"*"})  # a type with no in-place update: every changed input replaces it

# Per type token, the inputs whose change replaces the resource.
FORCE_NEW: Mapping[str, frozenset[str]] = {
    "heroku:pipeline/pipeline:Pipeline": frozenset({"owner"}),
    # `organization.locked` updates in place (PATCH /teams/apps/{id}); a new team, or moving an app
    # between a team and a personal account, replaces it.
    "heroku:app/app:App": frozenset(
        {"region", "space", "internalRouting", "organization", "organization.name", "organization.personal"}
    ),
    "heroku:collaborator/collaborator:Collaborator": ALL,
    "heroku:team/collaborator:Collaborator": frozenset({"appId", "email"}),
    "heroku:team/member:Member": frozenset({"team", "email"}),
    "heroku:addon/addon:Addon": frozenset({"appId", "config"}),
    "heroku:addon/attachment:Attachment": ALL,
    "heroku:domain/domain:Domain": frozenset({"appId", "hostname"}),
    "heroku:app/feature:Feature": frozenset({"appId", "name"}),
    "heroku:build/build:Build": ALL,
    "heroku:formation/formation:Formation": frozenset({"appId"}),
    "heroku:drain/drain:Drain": ALL,
    "heroku:pipeline/coupling:Coupling": ALL,
    "pulumi-python:dynamic/heroku-stack:ReleasePhase": frozenset({"appId", "releaseId"}),
}

Action = Literal["create", "update", "replace", "delete"]


def replaced_by(type_token: str, changed: frozenset[str]) -> frozenset[str]:
    """The changed inputs that force a replacement of a resource of this type."""
    forcing = FORCE_NEW.get(type_token, frozenset())
    return changed if forcing == ALL else changed & forcing


@dataclass(frozen=True)
class ResourceChange:
    """What happens to one resource between two plans of a stack."""

    ref: str
    action: Action
    before: PlannedResource | None
    after: PlannedResource | None
    changed: tuple[str, ...] = ()  # inputs that differ
    forces: tuple[str, ...] = ()  # those that force a replacement

    @property
    def name(self) -> str:
        resource = self.after or self.before
        return resource.name if resource is not None else self.ref


@dataclass(frozen=True)
class Hazard:
    """A change that loses something or leaves something running: what, and what to do instead."""

    ref: str
    what: str
    instead: str

    def render(self) -> str:
        return f"{self.ref}: {self.what}. {self.instead}"


def changes_between(before: Plan, after: Plan) -> list[ResourceChange]:
    """Every resource that is created, updated, replaced or deleted going from `before` to `after`.

    A resource replaced gets a new id, so an input that takes it changes too: the app's add-ons are
    replaced with the app. Plans list what a resource takes before the resource (stack level, then the
    app, its add-ons, ... its coupling), so one pass in plan order carries that along.
    """
    old = {r.ref: r for r in before.resources if not r.read}
    renewed: set[str] = set()  # created or replaced: their ids are new
    found: list[ResourceChange] = []
    for resource in after.resources:
        if resource.read:
            continue
        previous = old.get(resource.ref)
        if previous is None:
            renewed.add(resource.ref)
            found.append(ResourceChange(resource.ref, "create", None, resource))
            continue
        changed = set(_changed_inputs(previous.inputs, resource.inputs, resource.ignore_changes))
        changed |= {key for key, value in resource.inputs.items() if _takes_any(value, renewed)}
        if not changed:
            continue
        forces = tuple(sorted(replaced_by(resource.type, frozenset(changed))))
        action: Action = "replace" if forces else "update"
        if forces:
            renewed.add(resource.ref)
        found.append(ResourceChange(resource.ref, action, previous, resource, tuple(sorted(changed)), forces))
    declared = {r.ref for r in after.resources}
    found += [ResourceChange(ref, "delete", r, None) for ref, r in old.items() if ref not in declared]
    return found


def _takes_any(value: Any, refs: set[str]) -> bool:
    # "<App web>" or "<Build web-build>.releaseId": a value another resource provides at `pulumi up`.
    return isinstance(value, str) and any(f"<{ref}>" in value for ref in refs)


# Nested inputs whose fields the provider treats differently (some update, some replace).
NESTED = frozenset({"organization"})


def _changed_inputs(old: Mapping[str, Any], new: Mapping[str, Any], ignored: tuple[str, ...]) -> Iterator[str]:
    for key in set(old) | set(new):
        if key in ignored:
            continue
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key in NESTED and isinstance(before, Mapping) and isinstance(after, Mapping):
            yield from (f"{key}.{k}" for k in set(before) | set(after) if before.get(k) != after.get(k))
        else:
            yield key


def hazards(changes: list[ResourceChange], before: Plan) -> list[Hazard]:
    """The changes that would lose data, an app or money, each with the safe way to get there."""
    found: list[Hazard] = []
    for change in changes:
        resource = change.before
        if resource is None or change.action not in ("replace", "delete"):
            continue
        why = f"a change of {', '.join(change.forces)} replaces it" if change.action == "replace" else "it is removed"
        if resource.kind == "App":
            found.append(
                Hazard(
                    change.ref,
                    f"{why}: Heroku deletes app {resource.name} with its add-ons and their data, its domains and "
                    "config, and a new app cannot take the name while the old one exists",
                    "Migrate by hand instead: create the new app under another name (`heroku apps:create`), copy its "
                    "config and data (`heroku pg:backups:restore`, `heroku config`), move the domains and DNS, then "
                    "declare the new app and `pulumi state delete` the old one",
                )
            )
        elif resource.kind == "Addon" and _holds_data(resource):
            found.append(
                Hazard(
                    change.ref,
                    f"{why}: the data in add-on {resource.name} ({resource.inputs.get('plan')}) would be deleted and "
                    "a new, empty one created in its place",
                    "Keep the add-on's inputs as they are; to change a plan, change only `plan` (an in-place "
                    "upgrade); to move the data, provision the new add-on under another key, copy the data "
                    "(`heroku pg:copy` / `heroku redis:...`), switch the app over, then remove the old one",
                )
            )
        elif resource.kind == "Formation" and change.action == "delete":
            process = resource.inputs.get("type")
            found.append(
                Hazard(
                    change.ref,
                    f"process type {process} is removed, but Pulumi's Formation delete sends nothing: its dynos keep "
                    "running and billing",
                    f"Scale it down first: `heroku ps:scale {process}=0 --app {_app_name(before, resource)}`, or "
                    f"declare it with quantity: 0 for one `pulumi up` before removing it",
                )
            )
    return found


def _holds_data(resource: PlannedResource) -> bool:
    return str(resource.inputs.get("plan", "")).split(":", 1)[0] in DATA_ADDON_SERVICES


def _app_name(plan: Plan, resource: PlannedResource) -> str:
    return next((r.name for r in plan.for_app(resource.app) if r.kind == "App"), f"<the {resource.app} app>")
