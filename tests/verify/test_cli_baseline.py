"""`heroku-stack drift --write-waivers`: the baseline a person writes, end to end over a loopback port."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infra.cli.main import main
from infra.sandbox.context import Sandbox
from infra.spec import load_stack
from infra.verify.waivers import load_waivers
from tests.fixtures.sandbox import SANDBOX_TOKEN, SetAppHttp
from tests.fixtures.verify import DeployStack, Person, with_secret_values

pytestmark = pytest.mark.slow

CANARY = "CANARY9d21fa"
SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}


@pytest.fixture
def heroku_env(sandbox_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("HEROKU_API_URL", sandbox_url)
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    monkeypatch.setenv("HEROKU_STACK_ROUTER_URL", sandbox_url)
    return sandbox_url


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_a_baseline_accepts_the_drift_and_the_next_run_is_clean(
    project_dir: Path,
    deploy_stack: DeployStack,
    person: Person,
    heroku_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), SECRETS)))

    async def by_hand() -> None:
        async with person() as heroku:
            await heroku.patch("/apps/shopsentiment-staging/config-vars", json={"DEBUG_TOKEN": CANARY})

    asyncio.run(by_hand())
    path = tmp_path / "waivers.yaml"
    common = ["drift", "staging", "--no-pulumi-refresh", "--project-dir", str(project_dir)]
    terms = ["--owner", "alice@example.com", "--reason", "debug token for the outage", "--expires", in_days(30)]

    written = main([*common, "--write-waivers", str(path), *terms])
    first = capsys.readouterr()
    again = main([*common, "--waivers", str(path)])
    second = capsys.readouterr()

    assert written == again == 0
    assert first.err.splitlines()[-1] == (
        f"appended 1 waiver to {path} (owner alice@example.com, expires {in_days(30)}); review and commit it"
    )
    assert [(w.check, w.stack, w.exact) for w in load_waivers(path)] == [("web/config/DEBUG_TOKEN", "staging", True)]
    for run in (first, second):
        assert [line for line in run.out.splitlines() if line.startswith("waived")] == [
            "waived    web/config/DEBUG_TOKEN: DEBUG_TOKEN is set on Heroku but declared nowhere in Pulumi.staging.yaml"
        ]
    assert CANARY not in path.read_text() + first.out + first.err


def test_terms_that_are_not_reviewable_exit_2_before_any_api_call(
    project_dir: Path, heroku_env: str, sandbox_state: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "waivers.yaml"
    terms = ["--owner", "alice@example.com", "--reason", "because it is", "--expires", in_days(400)]

    code = main(["drift", "--write-waivers", str(path), *terms, "--project-dir", str(project_dir)])

    assert (code, capsys.readouterr().err) == (
        2,
        "error: --write-waivers needs reviewable terms:\n"
        f"  - --expires: {in_days(400)} must be after today ({in_days(0)}) and at most 365 days ahead "
        f"({in_days(365)})\n",
    )
    assert (sandbox_state.requests.snapshot(), path.exists()) == ([], False)


def test_terms_without_write_waivers_are_refused(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["drift", "--owner", "alice@example.com", "--expires", in_days(3), "--project-dir", str(project_dir)])

    assert (code, capsys.readouterr().err) == (2, "error: --owner, --expires: only with --write-waivers FILE\n")


def test_a_baseline_appends_to_the_waivers_file_of_the_run_only(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team, baseline = tmp_path / "team.yaml", tmp_path / "baseline.yaml"
    team.write_text("waivers: []\n")
    terms = ["--owner", "alice@example.com", "--reason", "debug token for the outage", "--expires", in_days(3)]

    code = main(
        ["drift", "--waivers", str(team), "--write-waivers", str(baseline), *terms, "--project-dir", str(project_dir)]
    )

    assert (code, capsys.readouterr().err) == (
        2,
        f"error: --write-waivers {baseline} appends to that file and reads it as the run's waivers; "
        f"--waivers {team} names another: give the same file, or leave --waivers out\n",
    )


def test_a_baseline_never_hides_a_broken_app_and_an_explicit_waiver_of_it_is_loud(
    project_dir: Path,
    deploy_stack: DeployStack,
    person: Person,
    set_app_http: SetAppHttp,
    heroku_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), SECRETS)))

    async def by_hand() -> None:
        async with person() as heroku:
            await heroku.patch("/apps/shopsentiment-staging/config-vars", json={"FEATURE_X": "on"})

    asyncio.run(by_hand())
    set_app_http("shopsentiment-staging", unhealthy_status=404, unhealthy=True)
    path = tmp_path / "waivers.yaml"
    common = ["drift", "staging", "--no-pulumi-refresh", "--project-dir", str(project_dir)]
    terms = ["--owner", "alice@example.com", "--reason", "accepted during the outage", "--expires", in_days(30)]

    written = main([*common, "--write-waivers", str(path), *terms])
    baseline_run = capsys.readouterr()
    next_run = main([*common, "--waivers", str(path)])
    capsys.readouterr()
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text(
        "waivers:\n  - check: web/health\n    stack: staging\n    reason: the status page is being moved\n"
        f"    owner: bob@example.com\n    expires: {in_days(7)}\n"
    )
    waived_run = main([*common, "--waivers", str(explicit), "--check", "web/health"])
    loud = capsys.readouterr()

    assert [(w.check, w.stack) for w in load_waivers(path)] == [("web/config/FEATURE_X", "staging")]
    assert (
        "not waived: staging: web/health says the app is not up; a baseline never hides that (fix it, or write an "
        "explicit waiver with an owner and an expiry)"
    ) in baseline_run.err.splitlines()
    assert (written, next_run) == (1, 1)  # the broken app still fails the run after the baseline
    assert waived_run == 0
    assert any(
        line.startswith("warning: WAIVED LIVENESS CHECK staging: web/health (GET ") and "the app may be down" in line
        for line in loud.out.splitlines()
    ), loud.out
