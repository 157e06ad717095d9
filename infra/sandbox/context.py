"""The running sandbox: configuration, state, clock, faults, rate limits and the request log, in one place."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from infra.sandbox import events
from infra.sandbox.config import SandboxConfig
from infra.sandbox.faults import FaultInjector
from infra.sandbox.ratelimit import TokenBuckets
from infra.sandbox.store import Store, Tx

REQUEST_LOG_LIMIT = 100_000


@dataclass(frozen=True)
class LoggedRequest:
    """One request as `GET /__sandbox/requests` reports it; `status` 0 means the connection was dropped."""

    method: str
    path: str
    status: int
    request_id: str
    target: str  # "api" for Platform API paths, "app" for requests the router served as an app

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "request_id": self.request_id,
            "target": self.target,
        }


@dataclass
class RequestLog:
    entries: deque[LoggedRequest] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_LIMIT))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: LoggedRequest) -> None:
        with self.lock:
            self.entries.append(entry)

    def snapshot(self) -> list[LoggedRequest]:
        with self.lock:
            return list(self.entries)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class Sandbox:
    """Everything a handler may touch, reachable from any request as `sandbox_of(request)`."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.delays = config.delays
        self.store = Store(config.state_path, seed=config.seed)
        self.faults = FaultInjector(config.faults)
        self.buckets = TokenBuckets(config.rate_limit, config.clock)
        self.requests = RequestLog()
        # API token -> the email of the account it acts as (`PUT /__sandbox/accounts`); every
        # other accepted token acts as the default account. Like faults, not kept in the state file.
        self.accounts: dict[str, str] = dict(config.accounts)
        if config.teams:
            from infra.sandbox.routes.teams import ensure_team

            with self.tx() as tx:
                for name, admin in config.teams.items():
                    ensure_team(tx, name, admin)

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """A serialized transaction in which every delayed change that has come due has happened.

        Never `await` inside it: the lock is a thread lock, and another request on the same event
        loop would re-enter it mid-transaction.
        """
        with self.store.transaction(self.clock.now()) as tx:
            events.settle(self, tx)
            yield tx

    def reset(self) -> None:
        """Back to an empty sandbox with the configured faults (`POST /__sandbox/reset`)."""
        self.store.wipe()
        self.faults.replace(self.config.faults)
        self.buckets.reset()
        self.requests.clear()


def sandbox_of(request: Request) -> Sandbox:
    sandbox = request.app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    return sandbox
