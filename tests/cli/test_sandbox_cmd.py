"""`heroku-stack sandbox`: one command starts the emulator on a port and says how to use it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from infra.cli.main import main
from infra.cli.sandbox_cmd import banner
from tests.conftest import PROJECT_DIR

HEADERS = {"Accept": "application/vnd.heroku+json; version=3", "Authorization": "Bearer demo-token"}


def test_the_banner_gives_a_curl_line_and_the_settings_to_point_tools_at_the_sandbox() -> None:
    assert banner("http://127.0.0.1:5050", "state.db", "tok").splitlines() == [
        "Heroku sandbox listening on http://127.0.0.1:5050 (state: state.db)",
        "",
        "  try it:",
        "    curl -s -H 'Accept: application/vnd.heroku+json; version=3' -H 'Authorization: Bearer tok' "
        "http://127.0.0.1:5050/apps",
        "  point the heroku-stack client and the Heroku provider at it:",
        "    export HEROKU_API_URL=http://127.0.0.1:5050",
        "    export HEROKU_API_KEY=tok",
        "    pulumi config set heroku:url http://127.0.0.1:5050",
        "  admin and faults (no token): http://127.0.0.1:5050/__sandbox/faults, http://127.0.0.1:5050/__sandbox/requests",
        "",
        "Press Ctrl+C to stop.",
    ]


def test_an_invalid_fault_setting_is_exit_2_with_the_flag_named(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sandbox", "--state", ":memory:", "--error-rate", "3"])

    assert code == 2
    assert capsys.readouterr().err == (
        "error: sandbox: invalid fault setting: --error-rate: Input should be less than or equal to 1\n"
    )


def test_a_port_in_use_is_exit_2_with_the_address(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]

        code = main(["sandbox", "--state", ":memory:", "--port", str(port)])

    assert code == 2
    assert capsys.readouterr().err.startswith(f"error: sandbox: cannot listen on 127.0.0.1:{port} (")


@pytest.mark.slow
def test_the_command_serves_the_api_on_loopback_until_interrupted(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.sqlite3"
    process = subprocess.Popen(  # noqa: S603 - our own entry point with fixed arguments
        [
            sys.executable,
            "-m",
            "infra.cli.main",
            "sandbox",
            "--port",
            "0",
            "--state",
            str(state),
            "--token",
            "demo-token",
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        base_url = first_line.split(" listening on ")[1].split(" ")[0]
        with httpx.Client(base_url=base_url, headers=HEADERS, timeout=10) as client:
            created = client.post("/apps", json={"name": "cli-app"})
            listed = client.get("/apps")
            refused = client.get("/apps", headers={"Authorization": "Bearer other"})
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)

    assert first_line == f"Heroku sandbox listening on {base_url} (state: {state})\n"
    assert created.status_code == 201
    assert [app["name"] for app in listed.json()] == ["cli-app"]
    assert refused.status_code == 401
    assert process.returncode == 0
    assert stderr.endswith("Heroku sandbox stopped.\n")
    assert state.exists()
