"""A planned resource's inputs as the engine hands them to the provider at `pulumi up`.

The plan writes three things the engine only knows while it runs; each is replaced here:

* ``<App web>``: the id Heroku returned for that resource (every reference in this program is
  to a resource's `id`: `app.id`, `addon.id`, `pipeline.id`);
* a data source's placeholder (``(id of the existing pipeline 'x', ...)``): what the lookup
  returned;
* ``[secret]``: the secret's value, found by the Pulumi config path it comes from
  (`secret_source`). A masked input the rehearsal cannot trace to a config path stops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.errors import RehearsalError
from infra.plan.model import MASK, PlannedResource
from infra.program import naming
from infra.rehearse.graph import referenced_attribute, references
from infra.rehearse.secret_inputs import config_var_path, drain_path
from infra.spec.models import StackSpec


class _Unknown:
    """An input whose value is known only once another resource has been created (a preview's "computed")."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Known:
    """What the rehearsal has learnt so far: ids and other outputs by resource ref, looked-up values by plan
    placeholder, and the resources still to be created or replaced, whose outputs are `UNKNOWN` until then."""

    ids: Mapping[str, str]
    looked_up: Mapping[str, str]
    outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()


def secret_source(resource: PlannedResource, path: tuple[str, ...], spec: StackSpec) -> str | None:
    """The config path (``apps.web.secrets.SECRET_KEY``) a masked input at `path` comes from, or None."""
    key = resource.app
    if key is None or key not in spec.apps:
        return None
    if resource.kind == "App" and len(path) == 2 and path[0] == "sensitiveConfigVars":
        return config_var_path(key, path[1])
    if resource.kind == "Drain" and path == ("sensitiveUrl",):
        for index, _ in enumerate(spec.apps[key].drains):
            if naming.drain(key, index) == resource.logical_name:
                return drain_path(key, index)
    return None


def resolve_inputs(
    resource: PlannedResource, known: Known, secrets: Mapping[str, str], spec: StackSpec
) -> dict[str, Any]:
    """`resource`'s inputs with references, lookups and secrets replaced; RehearsalError if one cannot be."""
    resolved: dict[str, Any] = {}
    for key, value in resource.inputs.items():
        refs = references(value)
        if len(refs) > 1:
            raise RehearsalError(f"{resource.ref}: input {key} takes several resources ({value}); expected one id")
        if refs:
            resolved[key] = _referenced(resource, key, refs[0], referenced_attribute(value), known)
        elif isinstance(value, str) and value in known.looked_up:
            resolved[key] = known.looked_up[value]
        else:
            resolved[key] = _with_secrets(resource, (key,), value, secrets, spec)
    return resolved


def _referenced(resource: PlannedResource, key: str, ref: str, attribute: str | None, known: Known) -> Any:
    if ref in known.pending:
        return UNKNOWN
    if attribute is None:
        if ref not in known.ids:
            raise RehearsalError(f"{resource.ref}: input {key} needs {ref}, which has no id yet")
        return known.ids[ref]
    outputs = known.outputs.get(ref) or {}
    if attribute not in outputs:
        raise RehearsalError(f"{resource.ref}: input {key} needs {attribute} of {ref}, which has none")
    return outputs[attribute]


def _with_secrets(
    resource: PlannedResource, path: tuple[str, ...], value: Any, secrets: Mapping[str, str], spec: StackSpec
) -> Any:
    if value == MASK:
        source = secret_source(resource, path, spec)
        if source is None:
            raise RehearsalError(
                f"{resource.ref}: input {'.'.join(path)} is a secret the rehearsal cannot trace to a stack "
                "config path (it fills App sensitiveConfigVars and Drain sensitiveUrl)"
            )
        if source not in secrets:
            raise RehearsalError(f"{resource.ref}: no value for the secret {source}")
        return secrets[source]
    if isinstance(value, dict):
        return {k: _with_secrets(resource, (*path, k), v, secrets, spec) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_secrets(resource, (*path, str(i)), v, secrets, spec) for i, v in enumerate(value)]
    return value
