"""`heroku-stack demo` (and `scripts/demo`): the whole loop offline, then the next steps it prints work."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from infra.cli.main import main
from infra.sandbox import BackgroundServer, SandboxConfig, create_app

pytestmark = pytest.mark.slow


def test_the_demo_rehearses_and_verifies_every_stack_and_its_next_steps_catch_a_hand_change(
    promote_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = promote_project  # a copy of the real project
    monkeypatch.chdir(project)

    code = main(["demo", "--port", "0"])

    out = capsys.readouterr().out
    demo = project / ".heroku-stack" / "demo"
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("   ") and "checks:" in line] == [
        "   37 checks: 37 pass; exit 0",
        "   42 checks: 42 pass; exit 0",
    ]
    assert sorted(p.name for p in demo.iterdir() if p.suffix == ".json") == [
        "production.manifest.json",
        "staging.manifest.json",
    ]
    assert "  .venv/bin/heroku-stack sandbox --port " in out

    # The printed next steps: serve the same state again, change something by hand, run drift.
    with BackgroundServer(create_app(SandboxConfig(state_path=str(demo / "sandbox.sqlite3")))) as server:
        monkeypatch.setenv("HEROKU_API_URL", server.base_url)
        monkeypatch.setenv("HEROKU_API_KEY", "demo")
        changed = httpx.patch(
            f"{server.base_url}/apps/shopsentiment-staging/config-vars",
            json={"LOG_LEVEL": "WARNING", "FEATURE_X": "on"},
            headers={"Authorization": "Bearer demo", "Accept": "application/vnd.heroku+json; version=3"},
        )
        drift = main(
            [
                "drift",
                "--no-pulumi-refresh",
                "--manifest",
                ".heroku-stack/demo/staging.manifest.json",
                "--manifest",
                ".heroku-stack/demo/production.manifest.json",
            ]
        )

    found = capsys.readouterr().out
    assert changed.status_code == 200
    assert drift == 1
    assert "changed   web/config/LOG_LEVEL: LOG_LEVEL is WARNING, expected DEBUG" in found
    assert "unmanaged web/config/FEATURE_X: FEATURE_X is set on Heroku but declared nowhere" in found
