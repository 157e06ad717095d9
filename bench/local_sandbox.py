"""The sandbox in its own process, for benchmarks: as Heroku runs on its own machine.

A sandbox served from a thread of the benchmark would share the GIL with the client being
measured; a child process (`heroku-stack sandbox --port 0`) does not.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parents[1]
BENCH_TOKEN = "bench-token"


@contextmanager
def sandbox_process(*, token: str = BENCH_TOKEN, extra: Sequence[str] = ()) -> Iterator[str]:
    """`heroku-stack sandbox` on a free loopback port, in memory, its bucket far above Heroku's.

    Yields the base URL once it listens; stops it with Ctrl+C (SIGINT) on exit.
    """
    command = [sys.executable, "-m", "infra.cli.main", "sandbox", "--port", "0", "--state", ":memory:"]
    command += ["--token", token, "--seed", "1", "--rate-limit-capacity", str(10**9), "--log-level", "error"]
    command += list(extra)
    process = subprocess.Popen(  # noqa: S603 - our own entry point
        command, cwd=PROJECT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if " listening on " not in line:
            raise RuntimeError(f"the sandbox did not start: {line.strip() or 'no output'}")
        yield line.split(" listening on ")[1].split(" ")[0]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def admin(base_url: str, method: str, path: str, json: object = None) -> Any:
    """Call the sandbox's admin API (`/__sandbox/<path>`), raising on an error answer."""
    response = httpx.request(method, f"{base_url}/__sandbox/{path}", json=json, timeout=30)
    response.raise_for_status()
    return response.json()
