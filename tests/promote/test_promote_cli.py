"""`heroku-stack promote` end to end over a real loopback port: the command a person runs."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest

from infra.cli.main import main
from infra.clock import SystemClock
from infra.errors import ExitCode
from infra.sandbox import BackgroundServer
from infra.sandbox.context import Sandbox
from tests.fixtures.promote import Deployed, deploy_environments, writes_seen
from tests.fixtures.sandbox import SANDBOX_TOKEN

pytestmark = pytest.mark.slow


def deploy_over_loopback(url: str, project: Path) -> Deployed:
    return asyncio.run(deploy_environments(project, SystemClock(), base_url=url))


@pytest.fixture
def heroku_env(monkeypatch: pytest.MonkeyPatch, sandbox_server: BackgroundServer) -> str:
    monkeypatch.setenv("HEROKU_API_URL", sandbox_server.base_url)
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    monkeypatch.setenv("HEROKU_STACK_ROUTER_URL", sandbox_server.base_url)
    return sandbox_server.base_url


def test_promote_yes_promotes_over_http_and_exits_zero(
    heroku_env: str,
    sandbox_state: Sandbox,
    promote_project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deployed = deploy_over_loopback(heroku_env, promote_project)
    sandbox_state.requests.clear()

    code = main(["promote", "--yes", "--project-dir", str(promote_project)])

    out = capsys.readouterr().out.splitlines()
    assert (code, out[-1]) == (ExitCode.OK, "promoted and verified: shopsentiment-production v8 runs staging's build")
    assert writes_seen(sandbox_state) == [("POST", "/pipeline-promotions", 201)]
    assert deployed.staging_slug in "\n".join(out)


def test_promote_without_yes_on_a_pipe_exits_declined_with_no_write(
    heroku_env: str,
    sandbox_state: Sandbox,
    promote_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deploy_over_loopback(heroku_env, promote_project)
    sandbox_state.requests.clear()
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))

    code = main(["promote", "--project-dir", str(promote_project)])

    assert (code, capsys.readouterr().err.splitlines()) == (
        ExitCode.DECLINED,
        [
            f"health checks go through the router at {heroku_env} (HEROKU_STACK_ROUTER_URL)",
            "error: declined at the prompt (or no --yes); nothing was changed",
        ],
    )
    assert writes_seen(sandbox_state) == []


def test_promote_with_stdin_closed_is_a_refusal_with_no_write_not_a_crash(
    heroku_env: str,
    sandbox_state: Sandbox,
    promote_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deploy_over_loopback(heroku_env, promote_project)
    sandbox_state.requests.clear()
    monkeypatch.setattr(sys, "stdin", None)  # what `0<&-` gives Python

    code = main(["promote", "--project-dir", str(promote_project)])

    assert code == ExitCode.DECLINED
    assert "Refusing: stdin is not interactive and --yes was not given." in capsys.readouterr().out
    assert writes_seen(sandbox_state) == []


def test_promote_help_describes_promote_s_own_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["promote", "--help"])

    text = capsys.readouterr().out
    assert "every check passed" not in text
    assert "  0  promoted and verified" in text
    assert "  8  rolled back as asked (--rollback)" in text
    assert "  9  another promotion of this pipeline is running" in text
