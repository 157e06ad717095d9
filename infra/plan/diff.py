"""Two stacks' plans side by side: what a promotion from one to the other would not carry.

A pipeline promotion copies the slug only; everything compared here (config, add-on plans,
dyno formation, features, domains, protection) stays per app. Apps pair by app key;
resources pair by role (`addon heroku-redis`, `formation web`, ...), because their Heroku
names differ between stacks by design. The Heroku names, the coupling's stage and
references between resources are left out. Secret values are never compared (the plan
never has them): a secret shows up only when one stack sets it and the other does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from infra.plan.model import Plan, PlannedResource

DIFF_SCHEMA = "heroku-stack/plan-diff@1"
ABSENT = "(absent)"

# Inputs that differ between stacks by construction, or are shown elsewhere.
_IDENTITY_INPUTS = {"App": {"name"}, "Addon": {"name"}, "Coupling": {"stage", "pipeline"}}


@dataclass(frozen=True)
class Difference:
    """One way the stacks differ: where (app key, role, input path) and the value on each side."""

    app: str | None
    role: str
    field: str
    left: str
    right: str

    @property
    def what(self) -> str:
        where = f"{self.app}: " if self.app else "stack: "
        return where + " ".join(p for p in (self.role, self.field) if p)

    def to_json(self) -> dict[str, Any]:
        return {"app": self.app, "role": self.role, "field": self.field, "left": self.left, "right": self.right}


@dataclass(frozen=True)
class PlanDiff:
    """Every difference between the plans of `left` and `right`, in display order."""

    left: Plan
    right: Plan
    differences: tuple[Difference, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": DIFF_SCHEMA,
            "project": self.left.project,
            "left": {"stack": self.left.stack, "stage": self.left.stage},
            "right": {"stack": self.right.stack, "stage": self.right.stage},
            "apps": {key: _app_names(self.left, self.right, key) for key in _app_keys(self.left, self.right)},
            "differences": [d.to_json() for d in self.differences],
        }


def diff_plans(left: Plan, right: Plan) -> PlanDiff:
    """Compare two plans of the same project, app key by app key and role by role."""
    found: list[Difference] = []
    for app in (None, *_app_keys(left, right)):
        if app is not None and (app not in left.apps or app not in right.apps):
            sides = ("declared", ABSENT) if app in left.apps else (ABSENT, "declared")
            found.append(Difference(app, "app", "", *sides))
            continue
        found.extend(_app_differences(left, right, app))
    return PlanDiff(left=left, right=right, differences=tuple(found))


def _app_keys(left: Plan, right: Plan) -> list[str]:
    return [*left.apps, *(k for k in right.apps if k not in left.apps)]


def _app_names(left: Plan, right: Plan, key: str) -> dict[str, str | None]:
    def name(plan: Plan) -> str | None:
        return next((r.name for r in plan.for_app(key) if r.kind == "App"), None)

    return {"left": name(left), "right": name(right)}


def _app_differences(left: Plan, right: Plan, app: str | None) -> Iterator[Difference]:
    ours = {r.role: r for r in left.for_app(app) if r.kind != "HerokuApp"}
    theirs = {r.role: r for r in right.for_app(app) if r.kind != "HerokuApp"}
    for role in [*ours, *(r for r in theirs if r not in ours)]:
        a, b = ours.get(role), theirs.get(role)
        if a is None or b is None or a.kind != b.kind:
            yield Difference(app, role, "", _presence(left, a, role), _presence(right, b, role))
            continue
        skip = _IDENTITY_INPUTS.get(a.kind, set())
        a_fields = dict(_fields(a, skip))
        b_fields = dict(_fields(b, skip))
        for field in [*a_fields, *(f for f in b_fields if f not in a_fields)]:
            x, y = a_fields.get(field, ABSENT), b_fields.get(field, ABSENT)
            if x != y:
                yield Difference(app, role, field, x, y)


def _fields(resource: PlannedResource, skip: set[str]) -> Iterator[tuple[str, str]]:
    for key, value in resource.inputs.items():
        if key in skip or (isinstance(value, str) and value.startswith("<")):
            continue
        yield from _flat(key, value)
    yield "[protected]", "yes" if resource.protect else "no"
    yield "[ignore_changes]", ", ".join(resource.ignore_changes) or "(none)"


def _flat(path: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict) and value:
        for key in value:
            yield from _flat(f"{path}.{key}", value[key])
    else:
        yield path, _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return "null" if value is None else str(value)


def _presence(plan: Plan, resource: PlannedResource | None, role: str) -> str:
    if resource is None:
        if role == "pipeline" and not plan.owns_pipeline:
            return "looked up by name"
        return ABSENT
    if resource.kind == "Pipeline":
        return "created and protected here"
    if resource.kind == "StackReference":
        return f"read from stack {resource.name}"
    if resource.kind == "Formation":
        return f"{resource.inputs.get('quantity')} x {resource.inputs.get('size')}"
    if resource.kind == "Addon":
        return str(resource.inputs.get("plan"))
    if resource.kind == "Feature":
        return "enabled" if resource.inputs.get("enabled") else "disabled"
    if resource.kind in ("App", "Build", "Drain"):
        return resource.name
    return "present"


def render_diff_text(diff: PlanDiff) -> str:
    """A header naming both stacks and their apps, then one row per difference."""
    left, right = diff.left, diff.right
    lines = [
        f'Environment diff of project "{left.project}": stack "{left.stack}" (stage {left.stage}) '
        f'vs stack "{right.stack}" (stage {right.stage})',
        "Offline, from both plans: apps pair by app key, resources by role; Heroku names differ by design",
        "and are left out. Secret values are never compared, only which secrets each stack sets.",
        "",
    ]
    for key in _app_keys(left, right):
        names = _app_names(left, right, key)
        lines.append(f"app {key}: {names['left'] or ABSENT} | {names['right'] or ABSENT}")
    lines.append("")
    if not diff.differences:
        lines.append("No differences.")
        return "\n".join(lines) + "\n"
    header = ("WHAT", left.stack, right.stack)
    rows = [(d.what, d.left, d.right) for d in diff.differences]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(2)]
    for what, a, b in (header, *rows):
        lines.append(f"{what:<{widths[0]}}  {a:<{widths[1]}}  {b}".rstrip())
    lines.append("")
    lines.append(f"{len(rows)} difference{'s' if len(rows) != 1 else ''}.")
    return "\n".join(lines) + "\n"


def render_diff_json(diff: PlanDiff) -> str:
    return json.dumps(diff.to_json(), indent=2) + "\n"
