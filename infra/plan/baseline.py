"""The plan a stack had at a git revision: the baseline a change to its stack file is compared with.

`pulumi up` compares the program with the stack's state, which only the Pulumi CLI can read. Offline,
the closest truth is the stack file as it was committed (`HEAD`, or a tag that was deployed): its plan,
under today's program, against the plan of the file as it is now says what the edit would do.
The project's files at the revision (Pulumi.yaml, every Pulumi.*.yaml, catalog.yaml) are written to a
temporary directory and planned there; nothing in the checkout is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from infra.errors import SpecError, SpecIssue
from infra.plan.model import Plan
from infra.plan.planner import plan_stack
from infra.spec.loader import CATALOG_FILE, PROJECT_FILE, stack_file

_GIT_TIMEOUT = 30


def _git(project_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """A git command in the project's work tree, or None when git or the work tree is missing."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        return subprocess.run(  # noqa: S603 - git, with arguments we build
            [git, "-C", str(project_dir), *args], capture_output=True, check=False, timeout=_GIT_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def in_git_work_tree(project_dir: Path) -> bool:
    done = _git(project_dir, "rev-parse", "--is-inside-work-tree")
    return done is not None and done.returncode == 0 and done.stdout.strip() == b"true"


def _show(project_dir: Path, revision: str, name: str) -> bytes | None:
    """The file `name` of the project directory at `revision`, or None when it did not exist there."""
    done = _git(project_dir, "show", f"{revision}:./{name}")
    return done.stdout if done is not None and done.returncode == 0 else None


def _listed(project_dir: Path, revision: str) -> list[str]:
    done = _git(project_dir, "ls-tree", "--name-only", revision, "./")
    if done is None or done.returncode != 0:
        return []
    return [Path(line).name for line in done.stdout.decode().splitlines()]


def check_revision(project_dir: Path, revision: str) -> None:
    """SpecError unless `revision` names a commit of the git work tree holding the project."""
    if not in_git_work_tree(project_dir):
        raise SpecError("--since", None, [SpecIssue("", f"{project_dir} is not in a git work tree")])
    done = _git(project_dir, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if done is None or done.returncode != 0:
        raise SpecError("--since", None, [SpecIssue("", f"{revision!r} is not a commit of this repository")])


def changed_since(stack: str, project_dir: Path, revision: str) -> bool:
    """Whether the stack file or the catalog differ from `revision` (or the stack file is new since)."""
    for name in (stack_file(project_dir, stack).name, CATALOG_FILE):
        path = project_dir / name
        now = path.read_bytes() if path.is_file() else None
        if now != _show(project_dir, revision, name):
            return True
    return False


def plan_at(stack: str, project_dir: Path, revision: str) -> Plan | None:
    """The plan of `stack` as its files were at `revision`, or None when the stack file did not exist then."""
    if _show(project_dir, revision, stack_file(project_dir, stack).name) is None:
        return None
    with tempfile.TemporaryDirectory(prefix="heroku-stack-baseline-") as scratch:
        root = Path(scratch)
        names = {PROJECT_FILE, CATALOG_FILE, *(n for n in _listed(project_dir, revision) if n.startswith("Pulumi."))}
        for name in sorted(names):
            content = _show(project_dir, revision, name)
            if content is not None:
                (root / name).write_bytes(content)
        try:
            return plan_stack(stack, root)
        except SpecError as err:
            raise SpecError(f"{stack_file(project_dir, stack).name} at {revision}", stack, err.issues) from None
