"""The order `pulumi up` creates a plan's resources in: every resource after everything it depends on.

A resource depends on its provider, its parent (the app's `HerokuApp` component), the resources
named in its `depends_on` (the plan's ``[after: ...]``) and the resources whose ids its inputs
take (``appId: <App web>``). Among resources whose dependencies are all met, the plan's own
order decides, so the order is the same on every run. The rehearsal runs independent resources
concurrently, as the engine does; this order is how it starts them.
"""

from __future__ import annotations

import heapq
import re

from infra.errors import RehearsalError
from infra.plan.model import Plan, PlannedResource

# A value another resource provides, as the plan writes it: "<App web>" (its id), "<Build web-build>.releaseId"
# (one of its outputs), or several ids joined by ", ".
_REFERENCE = re.compile(r"<([A-Za-z][A-Za-z0-9]*) ([^<>]+)>")
_REFERENCES = re.compile(rf"{_REFERENCE.pattern}(?:, {_REFERENCE.pattern})*")
_ATTRIBUTE_REFERENCE = re.compile(rf"{_REFERENCE.pattern}((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def references(value: object) -> tuple[str, ...]:
    """The resource refs (``"App web"``) an input value stands for, or () when it is a literal."""
    if not isinstance(value, str):
        return ()
    if _REFERENCES.fullmatch(value):
        return tuple(f"{kind} {name}" for kind, name in _REFERENCE.findall(value))
    attribute = _ATTRIBUTE_REFERENCE.fullmatch(value)
    return (f"{attribute.group(1)} {attribute.group(2)}",) if attribute else ()


def referenced_attribute(value: object) -> str | None:
    """The output an input takes from another resource (``releaseId``), or None when it takes its id."""
    attribute = _ATTRIBUTE_REFERENCE.fullmatch(value) if isinstance(value, str) else None
    return attribute.group(3)[1:] if attribute else None


def dependencies(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Per resource ref, the refs it waits for (plan order); RehearsalError for a dangling or duplicate ref."""
    by_ref: dict[str, PlannedResource] = {}
    for resource in plan.resources:
        if resource.ref in by_ref:
            raise RehearsalError(f"the plan declares {resource.ref} twice; a resource must be unique by kind and name")
        by_ref[resource.ref] = resource
    components = {r.app: r.ref for r in plan.resources if r.kind == "HerokuApp"}
    position = {ref: index for index, ref in enumerate(by_ref)}
    graph: dict[str, tuple[str, ...]] = {}
    for ref, resource in by_ref.items():
        needed: set[str] = set(resource.after)
        if resource.provider is not None:
            needed.add(resource.provider)
        if resource.kind != "HerokuApp" and resource.app in components:
            needed.add(components[resource.app])
        for value in resource.inputs.values():
            needed.update(references(value))
        unknown = sorted(needed - by_ref.keys())
        if unknown:
            raise RehearsalError(f"{ref} depends on {', '.join(unknown)}, which the plan does not declare")
        graph[ref] = tuple(sorted(needed, key=position.__getitem__))
    return graph


def creation_order(plan: Plan) -> tuple[PlannedResource, ...]:
    """The plan's resources in an order that creates each one after its dependencies (ties: plan order)."""
    graph = dependencies(plan)
    position = {r.ref: index for index, r in enumerate(plan.resources)}
    waiting: dict[str, set[str]] = {ref: set(needs) for ref, needs in graph.items()}
    dependants: dict[str, list[str]] = {ref: [] for ref in graph}
    for ref, needs in graph.items():
        for need in needs:
            dependants[need].append(ref)
    ready = [position[ref] for ref, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    ordered: list[PlannedResource] = []
    while ready:
        resource = plan.resources[heapq.heappop(ready)]
        ordered.append(resource)
        for dependant in dependants[resource.ref]:
            waiting[dependant].discard(resource.ref)
            if not waiting[dependant]:
                heapq.heappush(ready, position[dependant])
    if len(ordered) < len(plan.resources):
        stuck = sorted((ref for ref, needs in waiting.items() if needs), key=position.__getitem__)
        raise RehearsalError(f"the plan's dependencies form a cycle through {', '.join(stuck)}")
    return tuple(ordered)
