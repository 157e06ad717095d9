"""The plan as text a person reads (a table per stack) and as JSON a program reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from infra.plan.model import MASK, Plan, PlannedResource
from infra.plan.replacements import Hazard, ResourceChange

INDENT = "  "


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=False) + "\n"


def render_text(plan: Plan) -> str:
    """A header, one table row per resource (one line per input), then lookups, outputs and warnings."""
    lines = [
        f'Offline plan for stack "{plan.stack}" of project "{plan.project}" (stage {plan.stage})',
        "The real Pulumi program ran under the SDK's mock engine: nothing was sent to Heroku or Pulumi.",
        "",
    ]
    rows: list[tuple[str, str, list[str]]] = []
    for resource in plan.resources:
        nested = resource.app is not None and resource.kind != "HerokuApp"
        rows.append(((INDENT if nested else "") + resource.kind, resource.name, list(_details(resource))))
    type_width = max([len("TYPE"), *(len(r[0]) for r in rows)])
    name_width = max([len("NAME"), *(len(r[1]) for r in rows)])
    lines.append(f"{'TYPE':<{type_width}}  {'NAME':<{name_width}}  INPUTS")
    for kind, name, details in rows:
        first, *rest = details or [""]
        lines.append(f"{kind:<{type_width}}  {name:<{name_width}}  {first}".rstrip())
        lines.extend(f"{'':<{type_width}}  {'':<{name_width}}  {line}" for line in rest)
    lines.append("")
    lines.extend(_summary(plan))
    return "\n".join(lines) + "\n"


def _details(resource: PlannedResource) -> Iterator[str]:
    if resource.kind == "HerokuApp":
        yield f"component for app key {resource.logical_name!r}"
    if resource.kind == "Provider":
        yield from _provider_defaults(resource)
    for path, value in _flatten(resource.inputs):
        yield f"{path}: {_scalar(value)}"
    if resource.read:
        yield "[read at `pulumi up`: that stack's outputs; nothing is created]"
    if resource.protect:
        yield "[protected: `pulumi destroy` refuses to delete it]"
    if resource.delete_before_replace:
        yield "[delete_before_replace: a replacement deletes it first]"
    if resource.ignore_changes:
        yield f"[ignore_changes: {', '.join(resource.ignore_changes)}]"
    yield from (f"[after: {ref}]" for ref in resource.after)


def _provider_defaults(resource: PlannedResource) -> Iterator[str]:
    # What the program does at `pulumi up` when the stack file leaves these out (provider.py).
    if "apiKey" not in resource.inputs:
        yield "apiKey: (not in the stack file: HEROKU_API_KEY at `pulumi up`, else the netrc entry)"
    if "url" not in resource.inputs:
        yield "url: (not in the stack file: HEROKU_API_URL at `pulumi up`, else https://api.heroku.com)"


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested maps as dotted paths; lists of scalars stay one value."""
    if isinstance(value, dict) and (value or not prefix):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return ", ".join(_scalar(v) for v in value) if value else "(none)"
    if isinstance(value, dict):
        return "(none)"
    return str(value)


def _summary(plan: Plan) -> Iterator[str]:
    created = [r for r in plan.resources if not r.read]
    waits = [r for r in created if r.kind == "ReleasePhase"]
    heroku = [r for r in created if r.kind not in ("Provider", "HerokuApp", "ReleasePhase")]
    components = [r for r in created if r.kind == "HerokuApp"]
    wait_text = f"{len(waits)} release-phase wait{'s' if len(waits) != 1 else ''}, " if waits else ""
    yield (
        f"{len(created)} resources to create: {len(heroku)} on Heroku, {wait_text}"
        f"{len(components)} app component{'s' if len(components) != 1 else ''}, 1 provider."
    )
    if plan.protected:
        yield f"Protected from `pulumi destroy`: {', '.join(r.ref for r in plan.protected)}."
    references = [r for r in plan.resources if r.read and r.kind == "StackReference"]
    if plan.owns_pipeline:
        yield (
            f'Pipeline "{plan.pipeline}": created here (this stack has the pipeline_owner stage, '
            f"{plan.pipeline_owner}); other stacks reference it."
        )
    elif references:
        yield (
            f'Pipeline "{plan.pipeline}": its id read at `pulumi up` from stack {references[0].name}\'s `pipeline` '
            f"output (StackReference); `pulumi up` that {plan.pipeline_owner} stack first."
        )
    else:
        yield (
            f'Pipeline "{plan.pipeline}": looked up by name at `pulumi up` (pipeline_lookup: name), which Heroku '
            f"answers only while an app is coupled to it; `pulumi up` the {plan.pipeline_owner} stack first."
        )
    for lookup in plan.lookups:
        args = ", ".join(f"{k}={v!r}" for k, v in lookup.args.items())
        yield f"Reads {lookup.token}({args})."
    yield f"Stack outputs after `pulumi up`: {', '.join(plan.outputs)}."
    yield f"{MASK} marks a Pulumi secret (never shown); <Kind name> a value that resource provides at `pulumi up`."
    if plan.warnings:
        yield ""
        yield "Warnings:"
        yield from (f"- {w}" for w in plan.warnings)


def render_changes(since: str, stack_file: str, changes: list[ResourceChange], hazards: list[Hazard]) -> str:
    """The change report: what `pulumi up` would do to the stack as committed at `since`, dangers last."""
    lines = [f"Changes since {since} ({stack_file} as committed there), as `pulumi up` would make them:"]
    if not changes:
        lines.append("  none")
    for change in changes:
        detail = ""
        if change.action == "replace":
            detail = f"  ({', '.join(change.forces)} cannot change in place)"
        elif change.changed:
            detail = f"  ({', '.join(change.changed)})"
        lines.append(f"  {change.action:<8} {change.ref}{detail}".rstrip())
    if hazards:
        lines += [
            "",
            f"REFUSED: {len(hazards)} change{'s' if len(hazards) != 1 else ''} would lose data or leave dynos running:",
        ]
        lines += [f"- {hazard.render()}" for hazard in hazards]
    return "\n".join(lines) + "\n"


def changes_json(since: str, changes: list[ResourceChange], hazards: list[Hazard]) -> dict[str, Any]:
    return {
        "since": since,
        "changes": [
            {"ref": c.ref, "action": c.action, "changed": list(c.changed), "forces": list(c.forces)} for c in changes
        ],
        "hazards": [{"ref": h.ref, "what": h.what, "instead": h.instead} for h in hazards],
    }
