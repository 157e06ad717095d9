"""The offline workflow end to end, through the command line, on a real loopback sandbox.

rehearse staging and production -> verify staging (0) -> a change by hand -> drift (1) -> the
change undone, a newer build pushed to staging -> promote --yes (0). Each step is the command a
person runs from the README; the sandbox is the only Heroku there is.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from infra.cli.main import main
from infra.errors import ExitCode
from infra.sandbox import BackgroundServer
from infra.sandbox.context import Sandbox
from tests.fixtures.promote import edit_app
from tests.fixtures.sandbox import SANDBOX_HEADERS, SANDBOX_TOKEN

pytestmark = pytest.mark.slow

NEWER = "https://github.com/shopsentiment/shopsentiment/archive/refs/tags/v1.1.0.tar.gz"


@pytest.fixture
def heroku_env(monkeypatch: pytest.MonkeyPatch, sandbox_server: BackgroundServer) -> str:
    monkeypatch.setenv("HEROKU_API_URL", sandbox_server.base_url)
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    monkeypatch.setenv("HEROKU_STACK_ROUTER_URL", sandbox_server.base_url)
    return sandbox_server.base_url


def test_rehearse_verify_drift_and_promote_from_the_command_line(
    heroku_env: str, promote_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = ["--project-dir", str(promote_project)]
    staging, production = promote_project / "staging.json", promote_project / "production.json"
    heroku = httpx.Client(base_url=heroku_env, headers=SANDBOX_HEADERS)

    codes = [
        main(["rehearse", "staging", *project, "--manifest-out", str(staging)]),
        main(["rehearse", "production", *project, "--manifest-out", str(production)]),
        main(["verify", "staging", *project, "--manifest", str(staging)]),
    ]
    heroku.patch("/apps/shopsentiment-staging/config-vars", json={"FEATURE_X": "on"}).raise_for_status()
    codes.append(main(["drift", "staging", *project, "--manifest", str(staging), "--no-pulumi-refresh"]))
    heroku.patch("/apps/shopsentiment-staging/config-vars", json={"FEATURE_X": None}).raise_for_status()
    build = heroku.post("/apps/shopsentiment-staging/builds", json={"source_blob": {"url": NEWER, "version": "v1.1.0"}})
    build.raise_for_status()
    manifests = ["--manifest", str(staging), "--manifest", str(production)]
    codes.append(main(["promote", "--yes", *project, *manifests]))
    heroku.close()

    out = capsys.readouterr().out.splitlines()
    assert codes == [ExitCode.OK, ExitCode.OK, ExitCode.OK, ExitCode.DRIFT, ExitCode.OK]
    assert [line for line in out if line.startswith("unmanaged")] == [
        "unmanaged web/config/FEATURE_X: FEATURE_X is set on Heroku but declared nowhere in Pulumi.staging.yaml"
    ]
    assert out[-1] == "promoted and verified: shopsentiment-production v8 runs staging's build"


def test_edit_the_stack_file_preview_rehearse_and_verify_with_the_stacks_own_secrets(
    heroku_env: str,
    promote_project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sandbox_state: Sandbox,
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "shopsentiment-demo")  # the demo stacks' passphrase
    project = ["--project-dir", str(promote_project)]
    manifest = promote_project / "staging.json"
    first = main(["rehearse", "staging", *project, "--manifest-out", str(manifest)])
    capsys.readouterr()
    edit_app(promote_project, "staging", lambda web: web["config"].update(LOG_LEVEL="WARNING"))
    writes_before = sum(1 for e in sandbox_state.requests.snapshot() if e.method != "GET")

    previewed = main(["rehearse", "staging", *project, "--preview"])
    preview_out = capsys.readouterr().out.splitlines()
    writes_after_preview = sum(1 for e in sandbox_state.requests.snapshot() if e.method != "GET")
    applied = main(["rehearse", "staging", *project, "--manifest-out", str(manifest)])
    applied_out = capsys.readouterr().out.splitlines()
    verified = main(["verify", "staging", *project, "--manifest", str(manifest)])

    assert (first, previewed, applied, verified) == (ExitCode.OK,) * 4
    assert writes_after_preview == writes_before
    assert preview_out[2:] == [
        "  update   App            shopsentiment-staging  (configVars)",
        "Preview: 1 to update; 12 unchanged. Nothing was sent to the API but reads.",
    ]
    assert [line.split()[:3] for line in applied_out[2:4]] == [
        ["read", "getTeam", "shopsentiment"],  # the program's team lookup, on every `pulumi up`
        ["updated", "App", "shopsentiment-staging"],
    ]
    assert applied_out[4].startswith("Rehearsed: 1 updated on Heroku (12 unchanged, 1 read); 9 requests in ")
    assert applied_out[5] == (
        "Secrets set: fingerprint_key (decrypted), apps.web.secrets.SECRET_KEY (decrypted), "
        "apps.web.secrets.MONGODB_URI (decrypted). Values are never shown; the manifest holds their fingerprints."
    )
    assert json.loads(manifest.read_text())["fingerprint_key_id"].startswith("key-")
