"""The Pulumi CLI adapter: a read-only refresh preview, judged by its exit code, skipped without the CLI.

A stand-in `pulumi` executable on PATH plays the CLI (an external program, not our code).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from infra.verify.findings import Outcome
from infra.verify.refresh import command, judge, refresh_preview

SHOWN = "pulumi refresh --preview-only --expect-no-changes --non-interactive --stack staging"


def fake_pulumi(directory: Path, *, version: str, exit_code: int, stdout: str = "", stderr: str = "") -> Path:
    script = directory / "pulumi"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = version ]; then echo {version}; exit 0; fi\n'
        f'echo "$@" > "{directory}/args"\n'
        f"printf '%s' '{stdout}'\nprintf '%s' '{stderr}' >&2\nexit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return directory


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return directory


def test_the_refresh_is_only_ever_a_preview() -> None:
    assert command("staging") == [
        "pulumi",
        "refresh",
        "--preview-only",
        "--expect-no-changes",
        "--non-interactive",
        "--stack",
        "staging",
    ]


def test_without_the_cli_the_refresh_is_skipped_with_a_warning(tmp_path: Path, bin_dir: Path) -> None:
    outcome = refresh_preview("staging", cwd=tmp_path)

    assert (outcome.finding, outcome.warning) == (
        None,
        f"the Pulumi CLI is not on PATH, so `{SHOWN}` (state drift) was skipped; the API checks still ran",
    )


def test_exit_7_on_a_recent_cli_is_drift(tmp_path: Path, bin_dir: Path) -> None:
    fake_pulumi(bin_dir, version="v3.230.0", exit_code=7, stdout="Resources:\n    ~ 1 to update\n    9 unchanged\n")

    outcome = refresh_preview("staging", cwd=tmp_path)

    assert outcome.finding is not None
    assert (outcome.finding.outcome, outcome.finding.summary) == (
        Outcome.CHANGED,
        f"`{SHOWN}` found drift between the stack's state and Heroku (~ 1 to update; 9 unchanged)",
    )
    assert (bin_dir / "args").read_text().split() == command("staging")[1:]


def test_exit_0_is_a_pass(tmp_path: Path, bin_dir: Path) -> None:
    fake_pulumi(bin_dir, version="v3.230.0", exit_code=0)

    outcome = refresh_preview("staging", cwd=tmp_path)

    assert outcome.finding is not None
    assert outcome.finding.outcome is Outcome.PASS


def test_any_other_exit_is_an_error_with_the_last_stderr_line(tmp_path: Path, bin_dir: Path) -> None:
    fake_pulumi(bin_dir, version="v3.230.0", exit_code=255, stderr="error: no stack named staging found")

    outcome = refresh_preview("staging", cwd=tmp_path)

    assert outcome.finding is not None
    assert (outcome.finding.outcome, outcome.finding.summary) == (
        Outcome.ERROR,
        f"`{SHOWN}` failed with exit code 255: error: no stack named staging found",
    )


@pytest.mark.parametrize(
    ("version", "code", "stderr", "outcome"),
    [
        ((3, 200, 0), 255, "error: no changes were expected but changes were proposed", Outcome.CHANGED),
        ((3, 200, 0), 255, "error: could not load plugin", Outcome.ERROR),
        ((3, 226, 1), 7, "", Outcome.CHANGED),
        ((3, 226, 1), 255, "error: no changes were expected but changes were proposed", Outcome.ERROR),
    ],
)
def test_older_clis_are_told_apart_by_their_message(
    version: tuple[int, int, int], code: int, stderr: str, outcome: Outcome
) -> None:
    assert judge(code, "", stderr, version, SHOWN).outcome is outcome
