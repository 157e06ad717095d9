"""Fixtures every test gets: no real credentials reachable, a fresh event loop, the project paths.

Area-specific fixtures live in `tests/fixtures/*.py` and are loaded through `pytest_plugins`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_DIR.parent / "shared"

pytest_plugins: list[str] = [
    "tests.fixtures.spec_files",
    "tests.fixtures.sandbox",
    "tests.fixtures.pulumi_mocks",
    "tests.fixtures.promote",
    "tests.fixtures.verify",
    "tests.fixtures.heroku_cli",
]


@pytest.fixture(autouse=True)
def _no_real_heroku_or_pulumi(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Strip HEROKU_* and PULUMI_* and point netrc at an empty file: no test can reach a real account."""
    for name in list(os.environ):
        if name.startswith(("HEROKU_", "PULUMI_")):
            monkeypatch.delenv(name)
    empty_home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NETRC", str(empty_home / ".netrc"))
    monkeypatch.setenv("HOME", str(empty_home))


@pytest.fixture(autouse=True)
def _fresh_event_loop() -> Iterator[None]:
    """Each test gets its own loop: Pulumi's mock engine and asyncio tests must not share one."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def project_dir() -> Path:
    return PROJECT_DIR
