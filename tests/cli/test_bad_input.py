"""Bad input ends in one line on stderr and exit 2, before anything is read from or written to Heroku.

Each case here was a traceback, a hang or a half-done run once; the hypothesis test after them
throws generated arguments and files at the CLI and holds it to the same promise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infra.cli.main import main
from infra.sandbox import BackgroundServer
from infra.sandbox.context import Sandbox
from infra.spec.reference import BEGIN, END
from tests.fixtures.sandbox import SANDBOX_TOKEN


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("health checks go through")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def project(promote_project: Path) -> Path:
    """A copy of the real project (the promotion tests' fixture), free to break."""
    return promote_project


@pytest.fixture
def sandbox_env(sandbox_server: BackgroundServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HEROKU_API_URL", sandbox_server.base_url)
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "shopsentiment-demo")
    return sandbox_server.base_url


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["rehearse", "staging", "--manifest-out", "{dir}"],
            "error: --manifest-out {dir}: is a directory; give a file path; nothing was rehearsed",
        ),
        (
            ["verify", "staging", "--report", "json={dir}"],
            "error: --report json={dir}: {dir} is a directory; give a file path",
        ),
        (
            ["drift", "staging", "--report", "junit={file}/drift.xml"],
            "error: --report junit={file}/drift.xml: {file}/drift.xml cannot be created: {file} is a file, not a "
            "directory",
        ),
        (
            ["promote", "--yes", "--journal-dir", "{file}"],
            "error: --journal-dir {file}: is a file, not a directory; nothing was read or changed",
        ),
    ],
    ids=["rehearse-manifest-dir", "verify-report-dir", "drift-report-under-a-file", "promote-journal-file"],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_request(
    project: Path,
    sandbox_env: str,
    sandbox_state: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    directory, file = tmp_path / "a-directory", tmp_path / "a-file"
    directory.mkdir()
    file.write_text("")
    filled = [a.format(dir=directory, file=file) for a in argv]

    code = main([*filled, "--project-dir", str(project)])

    assert code == 2
    assert one_error_line(capsys) == message.format(dir=directory, file=file)
    assert sandbox_state.requests.snapshot() == []


def test_the_sandbox_refuses_a_port_that_cannot_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["sandbox", "--port", "70000"])

    assert caught.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "heroku-stack sandbox: error: argument --port: '70000': a port is 0 (any free port) to 65535"
    )


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "0", "soon"])
def test_deadlines_must_be_finite_seconds_above_zero(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["verify", "staging", "--timeout", value], ["promote", "--promotion-deadline", value]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_docs_in_a_project_without_a_readme_says_what_it_needs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["docs", "--project-dir", str(project)])

    assert code == 2
    assert one_error_line(capsys) == (
        f"error: README.md: not found in {project}: `docs` writes the configuration reference into the project's "
        f"README, between the lines {BEGIN} and {END}; create a README.md holding them"
    )


def test_docs_says_when_nothing_changed(project: Path, project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(project_dir / "README.md", project / "README.md")  # a copy: the test must never edit the repository

    code = main(["docs", "--project-dir", str(project)])

    assert (code, capsys.readouterr().out) == (
        0,
        "README.md's configuration reference is already up to date; nothing written\n",
    )
