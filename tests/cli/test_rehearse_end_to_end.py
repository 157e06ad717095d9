"""The offline workflow end to end, through the command line, on a real loopback sandbox.

rehearse staging and production -> verify staging (0) -> a change by hand -> drift (1) -> the
change undone, a newer build pushed to staging -> promote --yes (0). Each step is the command a
person runs from the README; the sandbox is the only Heroku there is.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from infra.cli.main import main
from infra.errors import ExitCode
from infra.sandbox import BackgroundServer
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
