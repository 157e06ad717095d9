"""One promotion of a pipeline at a time: the lock beside the journals, and production re-read before the POST."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from infra.errors import ExitCode, PromotionBlocked, PromotionLocked
from infra.promote.journal import JournalStore, PromotionOutcome
from infra.promote.lock import LockHolder, PipelineLock
from infra.sandbox.context import Sandbox
from tests.fixtures.promote import JOURNALS, Rig, writes_seen
from tests.fixtures.sandbox import SANDBOX_HEADERS, SANDBOX_TOKEN
from tests.promote.test_promote_cli import deploy_over_loopback

pytestmark = pytest.mark.anyio
PRODUCTION = "shopsentiment-production"
PIPELINE = "shopsentiment"


def lock_path(rig: Rig) -> Path:
    return rig.project / JOURNALS / f"{PIPELINE}.lock"


def plant_lock(rig: Rig, *, pid: int, host: str) -> Path:
    path = lock_path(rig)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = LockHolder(pipeline=PIPELINE, pid=pid, host=host, started_at="2026-01-01T00:00:00Z", command="x")
    path.write_text(holder.model_dump_json(by_alias=True))
    return path


def a_finished_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_two_promotions_at_once_send_one_promotion_and_the_other_is_refused_naming_the_holder(
    rig: Rig,
) -> None:
    await rig.deploy()

    first, second = await asyncio.gather(rig.promote(), rig.promote(), return_exceptions=True)

    outcomes = sorted([first, second], key=lambda r: isinstance(r, BaseException))
    assert getattr(outcomes[0], "outcome", None) == PromotionOutcome.SUCCEEDED
    refused = outcomes[1]
    assert isinstance(refused, PromotionLocked)
    assert refused.exit_code is ExitCode.LOCKED
    assert str(refused).startswith(f"another promotion of pipeline {PIPELINE} is running: pid {os.getpid()} on ")
    assert rig.writes() == [("POST", "/pipeline-promotions", 201)]
    assert not lock_path(rig).exists()


async def test_a_lock_held_by_a_live_run_refuses_before_any_request(rig: Rig) -> None:
    await rig.deploy()
    plant_lock(rig, pid=os.getpid(), host=socket.gethostname())

    with pytest.raises(PromotionLocked) as caught:
        await rig.promote()

    assert "since 2026-01-01T00:00:00Z (x); nothing was changed" in str(caught.value)
    assert rig.sandbox.requests.snapshot() == []
    assert JournalStore(rig.project / JOURNALS).all() == []


async def test_a_lock_left_by_a_process_that_is_gone_is_removed_and_said(rig: Rig) -> None:
    await rig.deploy()
    dead = a_finished_pid()
    plant_lock(rig, pid=dead, host=socket.gethostname())
    lines: list[str] = []

    result = await rig.promote(out=lines)

    assert result.outcome == PromotionOutcome.SUCCEEDED
    assert lines[0] == (
        f"removed a stale promotion lock left by pid {dead} on {socket.gethostname()}, since 2026-01-01T00:00:00Z "
        "(x), which is no longer running"
    )
    assert not lock_path(rig).exists()


async def test_a_lock_from_another_host_is_refused_with_how_to_remove_it(rig: Rig) -> None:
    await rig.deploy()
    path = plant_lock(rig, pid=1, host="ci-runner-7")

    with pytest.raises(PromotionLocked) as caught:
        await rig.promote()

    assert str(caught.value).endswith(f"nothing was changed; if that run is over, remove {path}")
    assert path.exists()


async def test_a_dry_run_and_a_status_report_look_while_another_run_holds_the_lock(rig: Rig) -> None:
    await rig.deploy()
    path = plant_lock(rig, pid=os.getpid(), host=socket.gethostname())

    dry = await rig.promote(dry_run=True)
    status = await rig.promote(action="status")

    assert dry.message.startswith("dry run: nothing was written")
    assert status.message == "no unfinished promotion from staging to production"
    assert path.exists()


async def test_production_that_moved_after_the_gate_stops_the_promotion_before_the_post(
    rig: Rig, sandbox_url: str
) -> None:
    await rig.deploy()
    newest = {"Range": "version ..; max=2, order=desc"}
    previous = (await rig.client.get(f"/apps/{PRODUCTION}/releases", headers=newest)).json()[1]

    def yes_as_another_machine_rolls_production_back(question: str) -> bool:
        # Another machine's run (or a person) changes production between this run's gate and its POST.
        moved = httpx.post(
            f"{sandbox_url}/apps/{PRODUCTION}/releases", json={"release": previous["id"]}, headers=SANDBOX_HEADERS
        )
        assert moved.status_code == 201, moved.text
        return True

    with pytest.raises(PromotionBlocked) as caught:
        await rig.promote(confirm=yes_as_another_machine_rolls_production_back)

    assert str(caught.value).startswith(f"{PRODUCTION} is on v8, not v7 as the gate saw: another promotion or deploy")
    assert str(caught.value).endswith("Nothing was changed; run the promotion again to gate it afresh.")
    assert rig.writes() == [("POST", f"/apps/{PRODUCTION}/releases", 201)]  # the meddling, and no promotion
    assert rig.journal().outcome == PromotionOutcome.BLOCKED


@pytest.mark.slow
def test_two_promote_commands_at_once_over_loopback_send_one_promotion(
    sandbox_url: str, promote_project: Path, sandbox_state: Sandbox
) -> None:
    deploy_over_loopback(sandbox_url, promote_project)
    sandbox_state.requests.clear()
    env = {
        **os.environ,
        "HEROKU_API_URL": sandbox_url,
        "HEROKU_API_KEY": SANDBOX_TOKEN,
        "HEROKU_STACK_ROUTER_URL": sandbox_url,
    }
    command = [
        str(Path(sys.executable).parent / "heroku-stack"),
        "promote",
        "--yes",
        "--project-dir",
        str(promote_project),
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(2)
    ]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]

    # Whichever wins, the other is refused by the lock (or, if it started after the first ended, finds
    # production up to date): never a second promotion.
    assert {code for code, _, _ in results} <= {ExitCode.OK, ExitCode.LOCKED}
    for code, _, err in results:
        if code == ExitCode.LOCKED:
            assert err.splitlines()[-1].startswith(f"error: another promotion of pipeline {PIPELINE} is running: pid ")
    assert writes_seen(sandbox_state) == [("POST", "/pipeline-promotions", 201)]


def test_a_lock_file_is_never_seen_before_it_names_its_holder(tmp_path: Path) -> None:
    # A second run that found the file but could not read it would refuse with "unreadable; remove
    # that file", advice that would break a live promotion's lock. The file must appear whole.
    path = tmp_path / f"{PIPELINE}.lock"
    seen_unreadable = 0
    for _ in range(300):
        lock = PipelineLock(tmp_path, PIPELINE, "2026-01-01T00:00:00Z")
        taker = threading.Thread(target=lock.__enter__)
        taker.start()
        while not path.exists() and taker.is_alive():
            pass
        if path.exists() and lock._read() is None:
            seen_unreadable += 1
        taker.join()
        lock.__exit__(None, None, None)

    assert seen_unreadable == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == []
