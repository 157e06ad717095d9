"""The `manifest` stack output as verification takes it: validated, from files or as a parsed document.

`pulumi stack output manifest --json` writes it after `pulumi up` (`infra.spec.manifest`): the
expected state with secret fingerprints, never values. `verify`, `drift` and `promote` take such
files (`--manifest FILE`); `load_manifests` reads and checks them all before any API call, so a
wrong file costs no request (and, for a promotion, opens no journal). Without `--manifest`,
`manifests_from_pulumi` asks the Pulumi CLI for the output when it is on PATH, so
`pulumi up && heroku-stack verify staging` is the whole post-deploy step.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

from infra.errors import ManifestError
from infra.spec.manifest import MANIFEST_SCHEMA, Manifest


def manifest_problem(document: object, *, project: str, stacks: Collection[str]) -> str | None:
    """Why `document` is not the manifest of one of `stacks` of `project`, as "the manifest ..."; None if it is."""
    if not isinstance(document, Mapping) or document.get("schema") != MANIFEST_SCHEMA:
        got = document.get("schema") if isinstance(document, Mapping) else type(document).__name__
        return (
            f"the manifest must be the `manifest` stack output (schema {MANIFEST_SCHEMA!r}, got {got!r}); "
            "export it with `pulumi stack output manifest --json --show-secrets=false`"
        )
    return belongs_problem(document.get("project"), document.get("stack"), project=project, stacks=stacks)


def belongs_problem(of_project: object, of_stack: object, *, project: str, stacks: Collection[str]) -> str | None:
    """Why a manifest of `of_project`/`of_stack` is not one of `stacks` of `project`; None if it is."""
    if of_project != project:
        return f"the manifest is for project {of_project!r}, but this is project {project!r}"
    stack = of_stack
    if stack not in stacks:
        if len(stacks) == 1:
            return f"the manifest is for stack {stack!r}, but this is stack {next(iter(stacks))!r}"
        return f"the manifest is for stack {stack!r}, which this run does not check ({', '.join(sorted(stacks))})"
    return None


def read_manifest(document: object, *, project: str, stacks: Collection[str], source: str = "") -> Manifest:
    """`document` as the manifest of one of `stacks` of `project`; ManifestError (prefixed by `source`) if not.

    The one place a manifest is read: from a file, from the Pulumi CLI, or handed over in code.
    """
    prefix = f"{source}: " if source else ""
    problem = manifest_problem(document, project=project, stacks=stacks)
    if problem is not None:
        raise ManifestError(f"{prefix}{problem}")
    try:
        return Manifest.model_validate(document)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ManifestError(
            f"{prefix}the manifest is not the shape of a `manifest` stack output at {where}: {first['msg']}"
        ) from None


def load_manifests(paths: Sequence[Path], *, project: str, stacks: Collection[str]) -> dict[str, Manifest]:
    """The manifests in `paths`, by the stack each names (at most one per stack).

    Raises ManifestError naming the file when one is missing, not JSON, not a `manifest` stack
    output, of another project, of a stack not in `stacks`, or a second one for a stack.
    """
    found: dict[str, Manifest] = {}
    given: dict[str, Path] = {}
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ManifestError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ManifestError(f"{path}: not readable JSON ({type(err).__name__})") from None
        read = read_manifest(document, project=project, stacks=stacks, source=str(path))
        if read.stack in found:
            raise ManifestError(
                f"{path}: a second manifest for stack {read.stack!r} (the first is {given[read.stack]})"
            )
        found[read.stack], given[read.stack] = read, path
    return found


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def pulumi_output_command(stack: str) -> list[str]:
    return ["pulumi", "stack", "output", "manifest", "--json", "--show-secrets=false", "--stack", stack]


def manifests_from_pulumi(
    stacks: Sequence[str],
    *,
    project: str,
    cwd: Path,
    which: Callable[[str], str | None] = shutil.which,
    run: Runner = subprocess.run,
    timeout: float = 120,
) -> tuple[dict[str, Manifest], list[str]]:
    """The `manifest` output of each of `stacks`, read with the Pulumi CLI when it is on PATH.

    Returns the manifests found and one note per stack saying where its manifest came from, or
    why none was read (secrets are then compared by presence). Without the CLI: nothing, no note.
    """
    executable = which("pulumi")
    found: dict[str, Manifest] = {}
    notes: list[str] = []
    if executable is None:
        return found, notes
    for stack in stacks:
        shown = " ".join(pulumi_output_command(stack))
        try:
            done = run(
                [executable, *pulumi_output_command(stack)[1:]],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            notes.append(
                f"manifest for {stack}: `{shown}` did not run ({type(err).__name__}); secrets compared by presence"
            )
            continue
        if done.returncode != 0:
            last = next((line.strip() for line in reversed(done.stderr.splitlines()) if line.strip()), "no message")
            notes.append(f"manifest for {stack}: `{shown}` failed ({last[:200]}); secrets compared by presence")
            continue
        try:
            document = json.loads(done.stdout)
        except json.JSONDecodeError:
            notes.append(f"manifest for {stack}: `{shown}` did not print JSON; secrets compared by presence")
            continue
        found[stack] = read_manifest(document, project=project, stacks={stack}, source=f"`{shown}`")
        notes.append(f"manifest for {stack}: from `{shown}`")
    return found, notes
