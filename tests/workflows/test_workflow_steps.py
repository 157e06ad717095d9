"""The deploy and drift workflows' steps, run as written against the sandbox on a loopback port.

Both ShopSentiment stacks are deployed as `pulumi up` would leave them (staging one build ahead),
then the workflows' own scripts run with bash: verify staging, promote, scheduled drift (clean,
then after a hand change), and the step that keeps the drift issue, with a stand-in `gh` that
records what it was asked (GitHub is not reachable here).
"""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from pathlib import Path

import pytest

from tests.fixtures.deploy import as_a_person
from tests.fixtures.promote import Rig
from tests.fixtures.sandbox import SANDBOX_TOKEN
from tests.workflows.steps import load, run_step, step

pytestmark = pytest.mark.slow
FAKE_GH = """#!{python}
import json, os, sys
with open(os.environ["GH_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["issue", "list"]:
    print(os.environ.get("GH_OPEN_ISSUE", ""))
"""


@pytest.fixture
def heroku(sandbox_url: str, tmp_path: Path) -> dict[str, str]:
    """What the runner's environment would hold, pointed at the sandbox; no Pulumi CLI on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "mkdir", "cat", "tail", "mktemp", "rm", "sed", "head", "basename", "dirname"):
        for directory in ("/usr/bin", "/bin"):
            if Path(directory, tool).exists():
                (bin_dir / tool).symlink_to(Path(directory, tool))
                break
    return {
        "HEROKU_API_URL": sandbox_url,
        "HEROKU_API_KEY": SANDBOX_TOKEN,
        "HEROKU_STACK_ROUTER_URL": sandbox_url,
        "PATH": str(bin_dir),
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "checkout"
    path.mkdir()
    return path


@pytest.mark.anyio
async def test_verify_promote_and_drift_steps_run_as_written(rig: Rig, heroku: dict[str, str], workdir: Path) -> None:
    await rig.deploy()
    project = str(rig.project)
    deploy, drift = load("deploy.yml"), load("drift.yml")

    verified = await asyncio.to_thread(
        run_step,
        step(deploy, "staging", id="verify"),
        workdir,
        env={**heroku, "PROJECT_DIR": project, "STACK": "staging"},
    )
    promoted = await asyncio.to_thread(
        run_step, step(deploy, "production", id="promote"), workdir, env={**heroku, "PROJECT_DIR": project}
    )
    drift_env = {**heroku, "PROJECT_DIR": project, "STACK": "production"}
    clean = await asyncio.to_thread(run_step, step(drift, "drift", id="drift"), workdir, env=drift_env)
    async with as_a_person(rig.transport, rig.clock) as person:
        await person.patch("/apps/shopsentiment-production/config-vars", json={"LOG_LEVEL": "DEBUG"})
    drifted = await asyncio.to_thread(run_step, step(drift, "drift", id="drift"), workdir, env=drift_env)

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.summary.startswith("## heroku-stack verification of shopsentiment/staging\n")
    assert {p.name for p in (workdir / "reports").iterdir()} >= {
        "verify-staging.xml",
        "verify-staging.md",
        "verify-staging.json",
    }
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    assert promoted.summary.startswith(f"## Promotion of {project}: exit 0\n")
    (journal,) = (workdir / "reports" / "promotions").glob("*.json")
    assert json.loads(journal.read_text())["outcome"] == "succeeded"
    assert (clean.returncode, clean.outputs) == (0, {"code": "0"})
    assert (drifted.returncode, drifted.outputs) == (0, {"code": "1"})
    assert "web/config/LOG_LEVEL" in drifted.summary


@pytest.mark.parametrize(
    ("code", "open_issue", "asked", "said"),
    [
        ("1", "", ["issue", "create", "--title", "Drift: shopsentiment/production", "--label", "drift"], "opened"),
        ("1", "7", ["issue", "comment", "7"], "updated #7"),
        ("2", "", ["issue", "create", "--title", "Drift: shopsentiment/production", "--label", "drift"], "opened"),
        ("0", "7", ["issue", "close", "7"], "closed #7"),
        ("0", "", None, "is clean; no issue open"),
    ],
)
def test_the_drift_issue_is_opened_updated_and_closed_with_the_stack(
    workdir: Path, tmp_path: Path, code: str, open_issue: str, asked: list[str] | None, said: str
) -> None:
    bin_dir, log = tmp_path / "gh-bin", tmp_path / "gh.log"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable))
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    (workdir / "reports").mkdir()
    (workdir / "reports" / "drift.md").write_text("## heroku-stack drift\n")
    issue_step = step(load("drift.yml"), "drift", name="Open, update or close the drift issue")
    env = {
        "GH_TOKEN": "t",
        "GH_REPO": "acme/shop",
        "SUBJECT": "shopsentiment/production",
        "CODE": code,
        "RUN_URL": "https://github.com/acme/shop/actions/runs/1",
        "GH_LOG": str(log),
        "GH_OPEN_ISSUE": open_issue,
        "PATH": f"{bin_dir}:/usr/bin:/bin",
    }

    done = run_step(issue_step, workdir, env=env)

    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert done.returncode == 0, done.stderr
    assert calls[0][:2] == ["issue", "list"]
    if asked is None:
        assert calls[1:] == []
    else:
        (call,) = calls[1:]
        assert call[: len(asked)] == asked
    assert said in done.stdout
