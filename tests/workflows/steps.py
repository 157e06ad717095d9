"""Reading the workflows, and running one of their `run:` steps as a GitHub runner would.

`run_step` runs the step's script with `bash -e` (GitHub's default shell for `run:`) in a work
directory laid out like a checkout: `scripts/` and `examples/` of this repository, and
`.venv/bin/heroku-stack` being the one installed for this interpreter. Every `env:` value the
step computes from an expression (`${{ matrix.dir }}`) must be given by the test, so a step
never runs with an unresolved value; `$GITHUB_STEP_SUMMARY` and `$GITHUB_OUTPUT` are files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    document: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def job(workflow: Mapping[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = workflow["jobs"][name]
    return found


def step(workflow: Mapping[str, Any], job_name: str, **match: str) -> dict[str, Any]:
    """The one step of `job_name` whose fields equal `match` (e.g. id="verify")."""
    (found,) = [s for s in job(workflow, job_name)["steps"] if all(s.get(k) == v for k, v in match.items())]
    return dict(found)


def all_steps() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = load(path.name)
        for job_name, body in workflow["jobs"].items():
            for index, found in enumerate(body["steps"]):
                yield f"{path.name}:{job_name}[{index}]", found


@dataclass(frozen=True)
class StepRun:
    returncode: int
    stdout: str
    stderr: str
    summary: str  # what the step appended to $GITHUB_STEP_SUMMARY
    outputs: dict[str, str]  # what it wrote to $GITHUB_OUTPUT


def checkout(workdir: Path) -> Path:
    """`workdir` laid out like the runner's checkout after `scripts/setup`."""
    for name in ("scripts", "examples"):
        link = workdir / name
        if not link.exists():
            link.symlink_to(PROJECT_DIR / name)
    venv_bin = workdir / ".venv" / "bin"
    venv_bin.mkdir(parents=True, exist_ok=True)
    cli = venv_bin / "heroku-stack"
    if not cli.exists():
        installed = Path(sys.executable).parent / "heroku-stack"
        assert installed.exists(), f"{installed} is missing: install the project (scripts/setup)"
        cli.symlink_to(installed)
    return workdir


def run_step(
    workflow_step: Mapping[str, Any], workdir: Path, *, env: Mapping[str, str], timeout: float = 600
) -> StepRun:
    expressions = {k for k, v in (workflow_step.get("env") or {}).items() if "${{" in str(v)}
    missing = expressions - set(env)
    assert not missing, f"the test must give the step's expression-valued env: {sorted(missing)}"
    checkout(workdir)
    summary, outputs = workdir / "step-summary.md", workdir / "step-output.txt"
    summary.write_text("")
    outputs.write_text("")
    plain = {k: str(v) for k, v in (workflow_step.get("env") or {}).items() if k not in expressions}
    environment = {
        **os.environ,
        **plain,
        **env,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "CI": "true",
    }
    done = subprocess.run(  # noqa: S603 - the workflow's own script
        ["bash", "-e", "-c", str(workflow_step["run"])],  # noqa: S607
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return StepRun(done.returncode, done.stdout, done.stderr, summary.read_text(), written)
