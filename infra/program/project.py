"""Where the running Pulumi project lives, as seen from inside the engine.

Pulumi runs the program from `main:` (here `infra/`), and depending on the CLI version the
working directory is the project root or the program directory, while
`pulumi.get_root_directory()` is only filled in by newer language hosts. The project is
the nearest directory, from the root directory or the working directory upwards, whose
`Pulumi.yaml` names the project being run. (A project whose `main:` points into another
checkout, like examples/inventorysync, is found only from its own directory: the CLI's usual
working directory.)
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from infra.errors import SpecError, SpecIssue
from infra.spec.loader import PROJECT_FILE, project_name


def running_project_dir(start: Path | None = None) -> Path:
    """The directory holding the `Pulumi.yaml` of the project the engine is running."""
    project = pulumi.get_project()
    root = pulumi.get_root_directory()
    origin = start if start is not None else Path(root) if root else Path.cwd()
    for candidate in (origin, *origin.resolve().parents):
        if (candidate / PROJECT_FILE).exists() and project_name(candidate) == project:
            return candidate
    raise SpecError(
        PROJECT_FILE,
        None,
        [SpecIssue("", f"no {PROJECT_FILE} naming project {project!r} in {origin} or above it")],
    )
