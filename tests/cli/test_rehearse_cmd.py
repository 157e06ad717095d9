"""`heroku-stack rehearse STACK` on a real loopback port: what it prints, writes and refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra.cli.main import main
from infra.errors import ExitCode
from infra.sandbox import BackgroundServer
from infra.sandbox.context import Sandbox
from infra.spec.secret import fingerprint
from tests.fixtures.sandbox import SANDBOX_TOKEN

pytestmark = pytest.mark.slow

SESSION_KEY = "cli-given-session-key-7f3a"


@pytest.fixture
def heroku_env(monkeypatch: pytest.MonkeyPatch, sandbox_server: BackgroundServer) -> str:
    monkeypatch.setenv("HEROKU_API_URL", sandbox_server.base_url)
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    return sandbox_server.base_url


def timeless(text: str) -> list[str]:
    return [re.sub(r"\d+\.\d+s", "N.Ns", line) for line in text.splitlines()]


def test_rehearse_prints_a_line_per_resource_and_writes_the_manifest(
    heroku_env: str, project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "staging.json"

    code = main(
        [
            "rehearse",
            "staging",
            "--project-dir",
            str(project_dir),
            "--secret",
            f"apps.web.secrets.SECRET_KEY={SESSION_KEY}",
            "--manifest-out",
            str(out),
            "--parallel",
            "1",  # the order of the lines is then the same on every run
        ]
    )

    captured = capsys.readouterr()
    manifest = json.loads(out.read_text())
    assert (code, captured.err) == (ExitCode.OK, "")
    assert timeless(captured.out) == [
        f'Rehearsing `pulumi up` of stack "staging" (project shopsentiment) against the local Heroku API at '
        f"{heroku_env}:",
        "the program's offline plan, diffed against the stack's rehearsed state, with the Heroku provider's requests.",
        "read      getTeam        shopsentiment                          1 request   N.Ns",
        "created   Pipeline       shopsentiment                          2 requests  N.Ns",
        "created   Member         team-member-dev@shopsentiment.example   2 requests  N.Ns",
        "created   Member         team-member-lead@shopsentiment.example   2 requests  N.Ns",
        "created   App            shopsentiment-staging                  9 requests  N.Ns",
        "created   Addon          shopsentiment-staging-redis            4 requests  N.Ns",
        "created   Addon          shopsentiment-staging-newrelic         4 requests  N.Ns",
        "created   Addon          shopsentiment-staging-papertrail       4 requests  N.Ns",
        "created   Feature        runtime-dyno-metadata                  2 requests  N.Ns",
        "created   Build          v1.0.0                                 3 requests  N.Ns",
        "created   ReleasePhase   web-release-phase                      1 request   N.Ns",
        "created   Formation      web                                    3 requests  N.Ns",
        "created   Collaborator   web-collaborator-dev@shopsentiment.example   3 requests  N.Ns",
        "created   Coupling       staging                                2 requests  N.Ns",
        "Rehearsed: 13 created on Heroku (0 unchanged, 1 read); 42 requests in N.Ns.",
        "warning: fingerprint_key is still encrypted (set PULUMI_CONFIG_PASSPHRASE, or --secret fingerprint_key=...): "
        "the manifest's fingerprints are not keyed, unlike the ones `pulumi up` exports",
        "Secrets set: apps.web.secrets.SECRET_KEY (from --secret), apps.web.secrets.MONGODB_URI (generated at "
        "random). Values are never shown; the manifest holds their fingerprints.",
        f"Manifest (the `manifest` stack output) written to {out}: heroku-stack verify staging --manifest {out}",
    ]
    assert manifest["apps"]["web"]["secret_config_vars"]["SECRET_KEY"] == fingerprint(
        SESSION_KEY, scope="shopsentiment-staging/SECRET_KEY"
    )
    assert SESSION_KEY not in captured.out


def test_a_remote_api_url_is_refused_with_exit_2_and_nothing_sent(
    monkeypatch: pytest.MonkeyPatch, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_URL", "https://api.heroku.com")
    monkeypatch.setenv("HEROKU_API_KEY", "a-real-token")

    code = main(["rehearse", "production", "--project-dir", str(project_dir)])

    assert (code, capsys.readouterr()) == (
        ExitCode.ERROR,
        (
            "",
            "error: refusing to rehearse against https://api.heroku.com: the rehearsal only talks to a local Heroku "
            "API (127.0.0.0/8, ::1, localhost), such as `heroku-stack sandbox`; set HEROKU_API_URL to it. Against "
            "real Heroku, run `pulumi up`.\n",
        ),
    )


def test_a_secret_path_the_stack_lacks_is_refused_before_any_request(
    heroku_env: str, sandbox_state: Sandbox, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["rehearse", "staging", "--project-dir", str(project_dir), "--secret", "SECRET_KEY=hunter2"])

    assert (code, capsys.readouterr()) == (
        ExitCode.ERROR,
        (
            "",
            "error: --secret SECRET_KEY: not a secret of stack 'staging' "
            "(its secrets: fingerprint_key, apps.web.secrets.SECRET_KEY, "
            "apps.web.secrets.MONGODB_URI)\n",
        ),
    )
    assert sandbox_state.requests.snapshot() == []
