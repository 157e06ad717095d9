"""The Pulumi CLI, read-only: `pulumi refresh --preview-only --expect-no-changes` folded into a drift run.

It compares the stack's *state* with Heroku (what the provider reads back), which catches
attribute drift our API checks do not model. It is only ever run with `--preview-only`: a
state-writing refresh would silently accept the drift (pulumi/pulumi#10967). Exit code 7
means "changes found" on Pulumi CLI 3.226.1 and later (the maintainers' fix for
pulumi/pulumi#5144); older CLIs exit 255 for both drift and errors, so there the message
"no changes were expected" tells them apart. Without the CLI on PATH the run says so and goes on.
Only the "Resources:" summary of Pulumi's output is kept: never resource diffs or values.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.verify.findings import Finding, Outcome

CHECK_ID = "pulumi/refresh"
DRIFT_EXIT_CODE = 7
DRIFT_EXIT_SINCE = (3, 226, 1)
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")
_OLD_DRIFT_TEXT = "no changes were expected"

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


@dataclass(frozen=True)
class RefreshOutcome:
    """The refresh preview's finding, or why it did not run (a warning)."""

    finding: Finding | None
    warning: str | None = None


def command(stack: str) -> list[str]:
    return ["pulumi", "refresh", "--preview-only", "--expect-no-changes", "--non-interactive", "--stack", stack]


def refresh_preview(
    stack: str,
    *,
    cwd: Path,
    which: Callable[[str], str | None] = shutil.which,
    run: Runner = subprocess.run,
    timeout: float = 900,
) -> RefreshOutcome:
    """Run the read-only refresh preview for `stack` in the project directory `cwd`."""
    executable = which("pulumi")
    shown = " ".join(command(stack))
    if executable is None:
        return RefreshOutcome(
            None,
            warning=f"the Pulumi CLI is not on PATH, so `{shown}` (state drift) was skipped; the API checks still ran",
        )
    try:
        version = _version(run([executable, "version"], cwd=cwd, capture_output=True, text=True, timeout=60).stdout)
        done = run([executable, *command(stack)[1:]], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return RefreshOutcome(_finding(Outcome.ERROR, f"`{shown}` did not finish within {timeout:g}s"))
    except OSError as err:
        return RefreshOutcome(_finding(Outcome.ERROR, f"`{shown}` could not start ({type(err).__name__})"))
    return RefreshOutcome(judge(done.returncode, done.stdout, done.stderr, version, shown))


def judge(code: int, stdout: str, stderr: str, version: tuple[int, int, int] | None, shown: str) -> Finding:
    """The finding for one finished refresh preview (pure)."""
    summary = _resources_summary(stdout)
    if code == 0:
        return _finding(Outcome.PASS, f"`{shown}`: the stack's state matches Heroku" + summary)
    new_cli = version is not None and version >= DRIFT_EXIT_SINCE
    drift = code == DRIFT_EXIT_CODE if new_cli else _OLD_DRIFT_TEXT in (stdout + stderr)
    if drift:
        return Finding(
            check_id=CHECK_ID,
            app="",
            kind="refresh",
            outcome=Outcome.CHANGED,
            summary=f"`{shown}` found drift between the stack's state and Heroku{summary}",
            remedy=(
                f"see it: `pulumi preview --refresh --diff --stack {shown.split()[-1]}`; then `pulumi up` to "
                "restore the declared state (never a state-writing `pulumi refresh`, which would accept the drift)",
            ),
        )
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "no message")
    return _finding(Outcome.ERROR, f"`{shown}` failed with exit code {code}: {last[:200]}")


def _finding(outcome: Outcome, summary: str) -> Finding:
    return Finding(check_id=CHECK_ID, app="", kind="refresh", outcome=outcome, summary=summary)


def _version(text: str) -> tuple[int, int, int] | None:
    found = _VERSION.search(text)
    return None if found is None else (int(found.group(1)), int(found.group(2)), int(found.group(3)))


def _resources_summary(stdout: str) -> str:
    lines: Sequence[str] = stdout.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Resources:")
    except StopIteration:
        return ""
    kept = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        kept.append(line.strip())
    return f" ({'; '.join(kept)})" if kept else ""
