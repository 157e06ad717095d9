"""`heroku-stack plan` and `heroku-stack diff` on the committed stacks, offline, as a user runs them.

The expected outputs in tests/plan/expected/ were reviewed by eye; regenerate one with
`heroku-stack plan STACK [--project-dir DIR] > tests/plan/expected/<project>-<stack>.txt`
and review the diff before committing it.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.cli.main import main
from infra.cli.plan_cmd import DIFF_DESCRIPTION, PLAN_DESCRIPTION
from infra.errors import ExitCode

EXPECTED = Path(__file__).parent / "expected"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The command's exit code, stdout and stderr; plans are not compared with git (the work tree may be edited)."""
    if argv[0] == "plan":
        argv = (*argv, "--no-compare")
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def inventorysync(project_dir: Path) -> Path:
    return project_dir / "examples" / "inventorysync"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: the plan must not need one."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the offline plan tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("stack", ["staging", "production"])
def test_plan_of_each_shopsentiment_stack_prints_the_reviewed_table(
    capsys: pytest.CaptureFixture[str], project_dir: Path, stack: str
) -> None:
    result = run_cli(capsys, "plan", stack, "--project-dir", str(project_dir))

    assert result == (ExitCode.OK, (EXPECTED / f"shopsentiment-{stack}.txt").read_text(), "")


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("stack", ["staging", "production"])
def test_plan_of_each_inventorysync_stack_prints_the_reviewed_table(
    capsys: pytest.CaptureFixture[str], inventorysync: Path, stack: str
) -> None:
    result = run_cli(capsys, "plan", stack, "--project-dir", str(inventorysync))

    assert result == (ExitCode.OK, (EXPECTED / f"inventorysync-{stack}.txt").read_text(), "")


@pytest.mark.parametrize(("project", "expected"), [(".", "shopsentiment"), ("examples/inventorysync", "inventorysync")])
def test_diff_of_staging_and_production_prints_the_reviewed_table(
    capsys: pytest.CaptureFixture[str], project_dir: Path, project: str, expected: str
) -> None:
    result = run_cli(capsys, "diff", "staging", "production", "--project-dir", str(project_dir / project))

    assert result == (ExitCode.OK, (EXPECTED / f"{expected}-diff.txt").read_text(), "")


def test_plan_from_the_checkout_uses_it_as_the_project_by_default(
    capsys: pytest.CaptureFixture[str], project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_dir)

    code, out, _ = run_cli(capsys, "plan", "staging")

    assert (code, out) == (ExitCode.OK, (EXPECTED / "shopsentiment-staging.txt").read_text())


def test_the_plan_is_the_same_on_every_run(capsys: pytest.CaptureFixture[str], project_dir: Path) -> None:
    outputs = {run_cli(capsys, "plan", "production", "--project-dir", str(project_dir))[1] for _ in range(4)}

    assert len(outputs) == 1


def test_plan_json_lists_every_resource_with_its_role_and_masks_secrets(
    capsys: pytest.CaptureFixture[str], inventorysync: Path
) -> None:
    code, out, _ = run_cli(capsys, "plan", "production", "--json", "--project-dir", str(inventorysync))

    plan = json.loads(out)
    assert (code, plan["schema"], plan["stack"], plan["pipeline"]) == (
        ExitCode.OK,
        "heroku-stack/plan@1",
        "production",
        {"name": "inventorysync", "owner_stage": "staging", "owned": False},
    )
    assert [(r["app"], r["kind"], r["name"], r["role"], r["protect"]) for r in plan["resources"]] == [
        (None, "Provider", "heroku", "provider", False),
        (None, "StackReference", "organization/inventorysync/staging", "pipeline", False),
        ("api", "HerokuApp", "api", "component", False),
        ("api", "App", "inventorysync-api-production", "app", True),
        ("api", "Addon", "inventorysync-production-db", "addon heroku-postgresql", True),
        ("api", "Addon", "inventorysync-production-redis", "addon heroku-redis", True),
        ("api", "Domain", "api.inventorysync.app", "domain api.inventorysync.app", False),
        ("api", "Feature", "preboot", "feature preboot", False),
        ("api", "Feature", "runtime-dyno-metadata", "feature runtime-dyno-metadata", False),
        ("api", "Build", "v1.0.0", "build", False),
        ("api", "ReleasePhase", "api-release-phase", "release-phase", False),
        ("api", "Formation", "web", "formation web", False),
        ("api", "Coupling", "production", "coupling", False),
        ("web", "HerokuApp", "web", "component", False),
        ("web", "App", "inventorysync-web-production", "app", True),
        ("web", "Domain", "app.inventorysync.app", "domain app.inventorysync.app", False),
        ("web", "Feature", "preboot", "feature preboot", False),
        ("web", "Build", "v1.0.0", "build", False),
        ("web", "ReleasePhase", "web-release-phase", "release-phase", False),
        ("web", "Formation", "web", "formation web", False),
        ("web", "Coupling", "production", "coupling", False),
    ]
    assert [r["name"] for r in plan["resources"] if r["read"]] == ["organization/inventorysync/staging"]
    api = plan["resources"][3]["inputs"]
    assert api["sensitiveConfigVars"] == {
        "JWT_SECRET_KEY": "[secret]",
        "SECRET_KEY": "[secret]",
        "SENTRY_DSN": "[secret]",
        "SHOPIFY_API_KEY": "[secret]",
        "SHOPIFY_API_SECRET": "[secret]",
        "SHOPIFY_WEBHOOK_SECRET": "[secret]",
    }
    assert plan["lookups"] == []


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_no_ciphertext_or_placeholder_reaches_the_plan(
    capsys: pytest.CaptureFixture[str], inventorysync: Path, stack: str
) -> None:
    document = yaml.safe_load((inventorysync / f"Pulumi.{stack}.yaml").read_text())
    secrets = document["config"]["inventorysync:apps"]["api"]["secrets"]
    ciphertexts = [s["secure"] for s in secrets.values()]
    bodies = [c.split(":")[2] for c in ciphertexts]

    text = run_cli(capsys, "plan", stack, "--project-dir", str(inventorysync))[1]
    as_json = run_cli(capsys, "plan", stack, "--json", "--project-dir", str(inventorysync))[1]

    leaked = [c for c in (*ciphertexts, *bodies) if c in text + as_json]
    assert (len(ciphertexts), leaked, "decrypted by the engine" in text + as_json) == (6, [], False)


def test_diff_json_pairs_apps_and_lists_each_difference(capsys: pytest.CaptureFixture[str], project_dir: Path) -> None:
    code, out, _ = run_cli(capsys, "diff", "staging", "production", "--json", "--project-dir", str(project_dir))

    diff = json.loads(out)
    assert (code, diff["schema"], diff["left"], diff["right"], diff["apps"]) == (
        ExitCode.OK,
        "heroku-stack/plan-diff@1",
        {"stack": "staging", "stage": "staging"},
        {"stack": "production", "stage": "production"},
        {"web": {"left": "shopsentiment-staging", "right": "shopsentiment-production"}},
    )
    assert diff["differences"][:5] == [
        {
            "app": None,
            "role": "pipeline",
            "field": "",
            "left": "created and protected here",
            "right": "read from stack organization/shopsentiment/staging",
        },
        # Team members are team-wide: the pipeline owner stack declares them.
        {
            "app": None,
            "role": "team member dev@shopsentiment.example",
            "field": "",
            "left": "present",
            "right": "(absent)",
        },
        {
            "app": None,
            "role": "team member lead@shopsentiment.example",
            "field": "",
            "left": "present",
            "right": "(absent)",
        },
        {"app": "web", "role": "app", "field": "acm", "left": "false", "right": "true"},
        {"app": "web", "role": "app", "field": "configVars.APP_ENV", "left": "staging", "right": "production"},
    ]
    assert len(diff["differences"]) == 20


def test_an_unknown_stack_is_an_error_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str], project_dir: Path
) -> None:
    result = run_cli(capsys, "plan", "qa", "--project-dir", str(project_dir))

    assert result == (
        ExitCode.ERROR,
        "",
        f'error: Pulumi.qa.yaml (stack "qa"): no such stack file in {project_dir} (stacks: production, staging)\n',
    )


def test_diff_with_an_unknown_stack_is_the_same_error(capsys: pytest.CaptureFixture[str], project_dir: Path) -> None:
    result = run_cli(capsys, "diff", "staging", "prod", "--project-dir", str(project_dir))

    assert result == (
        ExitCode.ERROR,
        "",
        f'error: Pulumi.prod.yaml (stack "prod"): no such stack file in {project_dir} (stacks: production, staging)\n',
    )


def test_an_invalid_stack_is_a_spec_error_without_traceback(
    capsys: pytest.CaptureFixture[str], write_stack: Any
) -> None:
    project = write_stack(text="config:\n  demo:stage: staging\n  demo:pipeline: Demo Pipeline\n  demo:apps: {}\n")

    result = run_cli(capsys, "plan", "staging", "--project-dir", str(project))

    assert result == (
        ExitCode.ERROR,
        "",
        'error: Pulumi.staging.yaml (stack "staging"): 2 problems\n'
        "  - pipeline: must be a pipeline name: 3-30 lowercase letters, digits and dashes, starting with a letter "
        "(got 'Demo Pipeline')\n"
        "  - apps: must not be empty\n",
    )


@pytest.mark.parametrize(("command", "description"), [("plan", PLAN_DESCRIPTION), ("diff", DIFF_DESCRIPTION)])
def test_help_explains_each_command(capsys: pytest.CaptureFixture[str], command: str, description: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])

    out = capsys.readouterr().out
    assert (exited.value.code, description in out) == (0, True)
