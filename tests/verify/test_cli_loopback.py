"""`heroku-stack verify` and `drift` end to end: the console entry point, a real loopback port, real reports.

The sandbox serves on 127.0.0.1 (`sandbox_server`); the CLI finds it the way a user's shell
would tell it to, through HEROKU_API_URL, HEROKU_API_KEY and HEROKU_STACK_ROUTER_URL.
"""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from infra.cli.main import main
from infra.sandbox.context import Sandbox
from infra.spec import load_stack
from infra.verify.reports.schema import REPORT_SCHEMA
from tests.fixtures.sandbox import SANDBOX_TOKEN, SetAppHttp
from tests.fixtures.verify import DeployStack, Person, with_secret_values

pytestmark = pytest.mark.slow

CANARY = "CANARY51d0e2"
STAGING = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
PRODUCTION = {"SECRET_KEY": f"{CANARY}-planned", "MONGODB_URI": f"mongodb+srv://app:{CANARY}@prod.example.net/s"}


@pytest.fixture
def heroku_env(sandbox_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("HEROKU_API_URL", sandbox_url)
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    monkeypatch.setenv("HEROKU_STACK_ROUTER_URL", sandbox_url)
    empty = tmp_path / "no-pulumi-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return sandbox_url


def test_verify_after_pulumi_up_writes_every_report_and_exits_0(
    project_dir: Path, deploy_stack: DeployStack, heroku_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING)))
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(deployed.manifest.document()))
    out = tmp_path / "reports"

    code = main(
        [
            "verify",
            "staging",
            "--manifest",
            str(manifest),
            "--project-dir",
            str(project_dir),
            "--report",
            f"json={out}/verify.json",
            "--report",
            f"junit={out}/verify.xml",
            "--report",
            f"md={out}/summary.md",
        ]
    )

    assert code == 0
    document = json.loads((out / "verify.json").read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    assert (document["exit_code"], document["stacks"][0]["counts"]["pass"]) == (0, 37)
    suite = ET.parse(out / "verify.xml").getroot()  # noqa: S314 - our own report
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("37", "0", "0")
    assert (out / "summary.md").read_text().startswith("## heroku-stack verification of shopsentiment/staging\n")
    stdout = capsys.readouterr().out
    assert stdout.splitlines()[-1] == "result: OK (exit 0): clean: every check passed (waived findings allowed)"


def test_a_malformed_waivers_file_exits_2_before_any_api_call(
    project_dir: Path, heroku_env: str, sandbox_state: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - check: web/config/FOO\n    reason: because we said so\n")

    code = main(["drift", "--waivers", str(waivers), "--project-dir", str(project_dir)])

    assert code == 2
    assert capsys.readouterr().err == (
        "error: waivers.yaml: 2 problems (each waiver takes check, stack (optional), exact (optional), reason, "
        "owner, expires "
        "(YYYY-MM-DD))\n  - waivers[0].owner: Field required\n  - waivers[0].expires: Field required\n"
    )
    assert sandbox_state.requests.snapshot() == []


def test_scheduled_drift_over_every_stack_reports_drift_without_leaking_a_secret(
    project_dir: Path,
    deploy_stack: DeployStack,
    person: Person,
    heroku_env: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING)))
    asyncio.run(deploy_stack(with_secret_values(load_stack("production", project_dir), PRODUCTION)))

    async def rotate_by_hand() -> None:
        async with person() as heroku:
            await heroku.patch(
                "/apps/shopsentiment-production/config-vars",
                json={"SECRET_KEY": f"{CANARY}-rotated", "DEBUG_TOKEN": CANARY},
            )

    asyncio.run(rotate_by_hand())
    caplog.clear()

    code = main(["drift", "--project-dir", str(project_dir), "--report", "md=-"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.startswith("## heroku-stack verification of shopsentiment/production, shopsentiment/staging\n")
    terminal = captured.err.splitlines()
    assert [line for line in terminal if line.startswith(("unmanaged", "changed", "missing", "warning"))] == [
        "unmanaged web/config/DEBUG_TOKEN: DEBUG_TOKEN is set on Heroku but declared nowhere in Pulumi.production.yaml",
        "warning: the Pulumi CLI is not on PATH, so `pulumi refresh --preview-only --expect-no-changes "
        "--non-interactive --stack production` (state drift) was skipped; the API checks still ran",
        "warning: the Pulumi CLI is not on PATH, so `pulumi refresh --preview-only --expect-no-changes "
        "--non-interactive --stack staging` (state drift) was skipped; the API checks still ran",
    ]
    assert terminal[-1] == "result: DRIFT (exit 1): drift: at least one finding is missing, changed or unmanaged"
    assert CANARY not in captured.out + captured.err + caplog.text


def test_the_json_report_schema_is_published_by_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--json-schema"]) == 0

    assert json.loads(capsys.readouterr().out) == REPORT_SCHEMA


def test_scheduled_drift_asks_a_failing_health_url_once_and_verify_keeps_asking(
    project_dir: Path,
    deploy_stack: DeployStack,
    set_app_http: SetAppHttp,
    heroku_env: str,
    tmp_path: Path,
) -> None:
    asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING)))
    set_app_http("shopsentiment-staging", unhealthy=True)
    drift_report, verify_report = tmp_path / "drift.json", tmp_path / "verify.json"
    common = ["--project-dir", str(project_dir), "-q", "--no-pulumi-refresh"]

    drift_code = main(["drift", "staging", *common, "--report", f"json={drift_report}"])
    verify_code = main(["verify", "staging", *common[:3], "--timeout", "2", "--report", f"json={verify_report}"])

    def health(path: Path) -> dict[str, object]:
        findings = json.loads(path.read_text())["stacks"][0]["findings"]
        found: dict[str, object] = next(f for f in findings if f["check_id"] == "web/health")
        return found

    assert (drift_code, health(drift_report)["outcome"], health(drift_report)["attempts"]) == (1, "changed", 1)
    assert (verify_code, health(verify_report)["outcome"]) == (1, "changed")
    assert int(str(health(verify_report)["attempts"])) > 1


def test_against_the_sandbox_health_checks_go_through_its_router_never_to_the_apps_real_hostnames(
    project_dir: Path,
    deploy_stack: DeployStack,
    heroku_env: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deployed = asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING)))
    monkeypatch.delenv("HEROKU_STACK_ROUTER_URL")  # only HEROKU_API_URL points at the sandbox
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(deployed.manifest.document()))

    code = main(["verify", "staging", "--manifest", str(manifest), "--project-dir", str(project_dir), "-v"])

    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.splitlines()[0] == (
        f"health checks go through the router at {heroku_env} (the API is the local sandbox, so its router answers "
        "for the apps)"
    )
    assert "pass      web/health: GET https://shopsentiment-staging-" in captured.out


def test_drift_reads_the_account_wide_lists_from_as_many_apps_as_asked(
    project_dir: Path, deploy_stack: DeployStack, heroku_env: str, sandbox_state: Sandbox, tmp_path: Path
) -> None:
    deployed = asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING)))
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(deployed.manifest.document()))

    def reads(*flags: str) -> tuple[int, set[str]]:
        sandbox_state.requests.clear()
        argv = ["drift", "staging", "--manifest", str(manifest), "--project-dir", str(project_dir), "-q", *flags]
        code = main(argv)
        return code, {r.path for r in sandbox_state.requests.snapshot() if r.target == "api" and r.method == "GET"}

    default_code, per_app = reads()  # one app: below the default of 10
    code, account_wide = reads("--account-wide-from", "1")

    assert (default_code, code) == (0, 0)
    assert {"/apps", "/addons", "/addon-attachments", "/pipeline-couplings"} <= account_wide
    assert not {"/apps", "/addons"} & per_app
    assert "/apps/shopsentiment-staging" in per_app
