"""What a `pulumi up` of the plan would do, given the rehearsal's state: the engine's diff, as plain data.

For each planned resource, in creation order (found in the state by its logical name, or by an
alias: a name it had before), the engine compares the inputs the program gives now with the inputs
it recorded, except those under `ignore_changes` (they keep their old value):

* not recorded: **create**;
* recorded with the same inputs: **same** (nothing is sent);
* an input changed that the provider cannot change in place (`ForceNew`): **replace**: a new
  resource is created, and the old one deleted at the end of the run, or first when the resource
  has `delete_before_replace`;
* otherwise: **update** in place, sending only what changed.

Inputs taken from a resource that is itself being created or replaced are unknown until it runs;
an unknown input counts as changed (the engine's "computed" value). Recorded resources the plan no
longer declares are **deleted** at the end, dependants first. A `protect`ed resource that would be
replaced or deleted stops the whole run before its first write, as Pulumi's preview does.

Nothing here sends a request: `changes()` is the preview, the rehearsal's runner carries it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from infra.errors import RehearsalError
from infra.plan.model import PlannedResource
from infra.plan.replacements import NESTED, replaced_by
from infra.rehearse.inputs import UNKNOWN, Known
from infra.rehearse.state import RehearsalState, StateResource

Action = Literal["create", "update", "replace", "delete", "same", "read"]
Resolve = Callable[[PlannedResource, Known], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    """One thing `pulumi up` would do to one resource."""

    ref: str
    action: Action
    resource: PlannedResource | None  # None for a deletion of a resource the plan no longer declares
    old: StateResource | None
    inputs: Mapping[str, Any] = field(default_factory=dict, repr=False)  # resolved; may hold secret values
    changed: tuple[str, ...] = ()  # the inputs that differ from the recorded ones
    forces: tuple[str, ...] = ()  # those that force the replacement

    @property
    def kind(self) -> str:
        return self.ref.split(" ", 1)[0]

    @property
    def writes(self) -> bool:
        return self.action in ("create", "update", "replace", "delete")


def changes(
    order: tuple[PlannedResource, ...], state: RehearsalState | None, resolve: Resolve, known: Known
) -> list[Step]:
    """The steps of a `pulumi up` of resources `order` (creation order) over `state`; RehearsalError for a
    protected resource that would be replaced or deleted. `known` has the looked-up values; `resolve` resolves
    a resource's inputs given what is known so far."""
    recorded = state.by_ref() if state is not None else {}
    outputs: dict[str, Mapping[str, Any]] = {}
    ids: dict[str, str] = {}
    pending: set[str] = set()
    steps: list[Step] = []
    found_as: set[str] = set()  # recorded refs a resource was found under, its own or an alias
    for resource in order:
        now = Known(ids=ids, looked_up=known.looked_up, outputs=outputs, pending=frozenset(pending))
        old = _recorded_as(resource, recorded)
        if old is not None:
            found_as.add(old.ref)
        if resource.read:
            step = Step(resource.ref, "read", resource, old)
        else:
            step = _step(resource, old, resolve(resource, now))
        if step.action in ("create", "replace"):
            pending.add(resource.ref)
        elif old is not None:
            outputs[resource.ref] = old.outputs
            if old.id is not None:
                ids[resource.ref] = old.id
        steps.append(step)
    planned = {r.ref for r in order} | found_as
    gone = [r for r in reversed(state.resources if state is not None else []) if r.ref not in planned]
    steps += [Step(r.ref, "delete", None, r) for r in gone]
    _refuse_protected(steps)
    return steps


def _recorded_as(resource: PlannedResource, recorded: dict[str, StateResource]) -> StateResource | None:
    """The recorded resource this one is: by its own ref, else by an alias (a logical name it had before)."""
    if resource.ref in recorded:
        return recorded[resource.ref]
    for alias in resource.aliases:
        old = recorded.get(f"{resource.kind} {alias}")
        if old is not None and old.type == resource.type:
            return old
    return None


def _step(resource: PlannedResource, old: StateResource | None, inputs: dict[str, Any]) -> Step:
    if old is None:
        return Step(resource.ref, "create", resource, None, inputs)
    if old.type != resource.type:
        return Step(resource.ref, "replace", resource, old, inputs, ("type",), ("type",))
    for key in resource.ignore_changes:
        if key in old.inputs:
            inputs[key] = old.inputs[key]
        else:
            inputs.pop(key, None)
    changed = tuple(sorted(k for k in set(inputs) | set(old.inputs) if _differs(inputs.get(k), old.inputs.get(k))))
    if not changed:
        return Step(resource.ref, "same", resource, old, inputs)
    forces = tuple(sorted(replaced_by(resource.type, frozenset(_detailed(changed, inputs, old.inputs)))))
    return Step(resource.ref, "replace" if forces else "update", resource, old, inputs, changed, forces)


def _detailed(changed: tuple[str, ...], new: Mapping[str, Any], old: Mapping[str, Any]) -> set[str]:
    """`changed`, with a nested input (`organization`) named by the fields that changed, as the plan does."""
    found: set[str] = set()
    for key in changed:
        before, after = old.get(key), new.get(key)
        if key in NESTED and isinstance(before, dict) and isinstance(after, dict):
            found |= {f"{key}.{k}" for k in set(before) | set(after) if _differs(after.get(k), before.get(k))}
        else:
            found.add(key)
    return found


def _differs(new: Any, old: Any) -> bool:
    if new is UNKNOWN:
        return True
    if isinstance(new, dict) and isinstance(old, dict):
        return set(new) != set(old) or any(_differs(new[k], old[k]) for k in new)
    if isinstance(new, list) and isinstance(old, list):
        return len(new) != len(old) or any(_differs(a, b) for a, b in zip(new, old, strict=True))
    return bool(new != old)


def _refuse_protected(steps: list[Step]) -> None:
    for step in steps:
        if step.old is None or not step.old.protect or step.action not in ("replace", "delete"):
            continue
        if step.action == "replace":
            why = f"a change of {', '.join(step.forces)} replaces it"
        else:
            why = "the program no longer declares it"
        raise RehearsalError(
            f"refusing to {step.action} {step.ref} ({step.old.name}): it is protected and {why}; nothing was "
            "changed. As Pulumi would, the run stops before its first write: to go ahead on purpose, unprotect "
            "it first (`pulumi state unprotect`); to keep it, undo the change"
        )
