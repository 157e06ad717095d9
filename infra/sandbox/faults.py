"""Fault injection: added latency, 5xx answers, 429 bursts, dropped connections, failing promotion targets.

A `Faults` value is what a user sets (at start or with `PUT /__sandbox/faults`); a
`FaultInjector` applies it request by request. Bursts are counted down first (drop, then
5xx, then 429: one fault per request), then the rates draw from a `random.Random` seeded with
`seed`, so a run with a seed injects the same faults at the same requests every time.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class ConnectionDropped(Exception):
    """Raised by the app after sending part of a response: the connection must die without a full answer.

    Under uvicorn the server closes the socket (the client sees an incomplete body); the
    in-process `SandboxTransport` turns it into `httpx.RemoteProtocolError`.
    """


class Faults(BaseModel):
    """The faults to inject into Heroku-path requests (never into `/__sandbox/` admin requests)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: int = Field(default=0, ge=0, le=600_000)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    error_burst: int = Field(default=0, ge=0)
    rate_limit_burst: int = Field(default=0, ge=0)
    retry_after: float | None = Field(default=None, ge=0)
    drop_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    drop_burst: int = Field(default=0, ge=0)
    fail_promotion_targets: tuple[str, ...] = ()
    seed: int | None = None


class Fault(Enum):
    DROP = "drop"
    ERROR = "error"
    RATE_LIMIT = "rate_limit"


@dataclass(frozen=True)
class Decision:
    """What to do with one request: wait `latency_s`, then answer normally (`fault` None) or fail."""

    latency_s: float
    fault: Fault | None


class FaultInjector:
    """Thread-safe holder of the current faults and the remaining burst counts."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._random = random.Random(faults.seed)

    @property
    def faults(self) -> Faults:
        """The current faults; burst fields show what is left of each burst."""
        with self._lock:
            return self._faults

    def replace(self, faults: Faults) -> None:
        """Install a new fault set; its seed restarts the random sequence."""
        with self._lock:
            self._faults = faults
            self._random = random.Random(faults.seed)

    def decide(self) -> Decision:
        """Consume one request's worth of faults."""
        with self._lock:
            f = self._faults
            latency = f.latency_ms / 1000
            if f.drop_burst:
                self._faults = f.model_copy(update={"drop_burst": f.drop_burst - 1})
                return Decision(latency, Fault.DROP)
            if f.error_burst:
                self._faults = f.model_copy(update={"error_burst": f.error_burst - 1})
                return Decision(latency, Fault.ERROR)
            if f.rate_limit_burst:
                self._faults = f.model_copy(update={"rate_limit_burst": f.rate_limit_burst - 1})
                return Decision(latency, Fault.RATE_LIMIT)
            # Draw both numbers every time so one rate's setting never shifts the other's sequence.
            drop_draw, error_draw = self._random.random(), self._random.random()
            if drop_draw < f.drop_rate:
                return Decision(latency, Fault.DROP)
            if error_draw < f.error_rate:
                return Decision(latency, Fault.ERROR)
            return Decision(latency, None)

    def promotion_fails(self, app_id: str, app_name: str) -> bool:
        targets = self.faults.fail_promotion_targets
        return app_id in targets or app_name in targets
