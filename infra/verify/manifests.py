"""The `manifest` stack output as verification takes it: validated, from files or as a parsed document.

`pulumi stack output manifest --json` writes it after `pulumi up` (`infra.spec.manifest`): the
expected state with secret fingerprints, never values. `verify`, `drift` and `promote` take such
files (`--manifest FILE`); `load_manifests` reads and checks them all before any API call, so a
wrong file costs no request (and, for a promotion, opens no journal).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from infra.errors import ManifestError
from infra.spec.manifest import MANIFEST_SCHEMA


def manifest_problem(document: object, *, project: str, stacks: Collection[str]) -> str | None:
    """Why `document` is not the manifest of one of `stacks` of `project`, as "the manifest ..."; None if it is."""
    if not isinstance(document, Mapping) or document.get("schema") != MANIFEST_SCHEMA:
        got = document.get("schema") if isinstance(document, Mapping) else type(document).__name__
        return (
            f"the manifest must be the `manifest` stack output (schema {MANIFEST_SCHEMA!r}, got {got!r}); "
            "export it with `pulumi stack output manifest --json --show-secrets=false`"
        )
    if document.get("project") != project:
        return f"the manifest is for project {document.get('project')!r}, but this is project {project!r}"
    stack = document.get("stack")
    if stack not in stacks:
        if len(stacks) == 1:
            return f"the manifest is for stack {stack!r}, but this is stack {next(iter(stacks))!r}"
        return f"the manifest is for stack {stack!r}, which this run does not check ({', '.join(sorted(stacks))})"
    return None


def load_manifests(paths: Sequence[Path], *, project: str, stacks: Collection[str]) -> dict[str, Mapping[str, Any]]:
    """The manifests in `paths`, by the stack each names (at most one per stack).

    Raises ManifestError naming the file when one is missing, not JSON, not a `manifest` stack
    output, of another project, of a stack not in `stacks`, or a second one for a stack.
    """
    found: dict[str, Mapping[str, Any]] = {}
    given: dict[str, Path] = {}
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ManifestError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ManifestError(f"{path}: not readable JSON ({type(err).__name__})") from None
        problem = manifest_problem(document, project=project, stacks=stacks)
        if problem is not None:
            raise ManifestError(f"{path}: {problem}")
        stack = str(document["stack"])
        if stack in found:
            raise ManifestError(f"{path}: a second manifest for stack {stack!r} (the first is {given[stack]})")
        found[stack], given[stack] = document, path
    return found
