"""State in SQLite: a restart on the same file loses nothing; concurrent requests never corrupt it."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from infra.errors import SandboxError
from infra.sandbox import BackgroundServer, SandboxConfig, create_app
from infra.sandbox.store import Store
from tests.fixtures.sandbox import SANDBOX_HEADERS, SANDBOX_TOKEN


def config(path: Path) -> SandboxConfig:
    return SandboxConfig(state_path=str(path), tokens=frozenset({SANDBOX_TOKEN}), seed=99)


@pytest.mark.slow
def test_a_sandbox_restarted_on_the_same_state_file_has_everything(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.db"
    with (
        BackgroundServer(create_app(config(state))) as first,
        httpx.Client(base_url=first.base_url, headers=SANDBOX_HEADERS) as client,
    ):
        created = client.post("/apps", json={"name": "kept-app"}).json()
        client.patch("/apps/kept-app/config-vars", json={"KEPT": "yes"})
        before_restart = client.get("/apps/kept-app").json()
        another = client.post("/apps", json={}).json()

    with (
        BackgroundServer(create_app(config(state))) as second,
        httpx.Client(base_url=second.base_url, headers=SANDBOX_HEADERS) as client,
    ):
        app = client.get("/apps/kept-app").json()
        config_vars = client.get("/apps/kept-app/config-vars").json()
        newest = client.get("/apps/kept-app/releases", headers={"Range": "version ..; max=1,order=desc"}).json()
        third = client.post("/apps", json={}).json()

    assert app == before_restart
    assert config_vars == {"KEPT": "yes"}
    assert [r["version"] for r in newest] == [3]
    assert third["id"] not in (created["id"], another["id"])  # seeded ids continue, never repeat


@pytest.mark.slow
def test_concurrent_config_patches_over_loopback_lose_no_update(sandbox_url: str) -> None:
    with httpx.Client(base_url=sandbox_url, headers=SANDBOX_HEADERS) as client:
        client.post("/apps", json={"name": "busy-app"})

        def patch(n: int) -> int:
            return client.patch("/apps/busy-app/config-vars", json={f"K{n}": str(n)}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(patch, range(40)))
        config_vars = client.get("/apps/busy-app/config-vars").json()
        versions = [r["version"] for r in client.get("/apps/busy-app/releases", headers={"Range": "version .."}).json()]

    assert statuses == [200] * 40
    assert config_vars == {f"K{n}": str(n) for n in range(40)}
    assert versions == list(range(1, 43))


def test_a_file_that_is_not_a_sandbox_database_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "not-a-db"
    state.write_text("hello, I am a text file and not SQLite at all" * 20)

    with pytest.raises(SandboxError) as caught:
        Store(str(state))

    assert str(caught.value).startswith(f"sandbox state {state}: cannot open it as a sandbox database (")


def test_a_state_file_of_another_version_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "old.db"
    Store(str(state)).close()
    with sqlite3.connect(state) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")

    with pytest.raises(SandboxError) as caught:
        Store(str(state))

    assert str(caught.value) == (
        f"sandbox state {state}: written by state version 0, this sandbox reads version 1; "
        "start with a new --state file"
    )
