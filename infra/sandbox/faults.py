"""Fault injection: added latency, 5xx answers, 429 bursts, dropped connections, failing promotion targets.

A `Faults` value is what a user sets (at start or with `PUT /__sandbox/faults`); a
`FaultInjector` applies it request by request. Bursts are counted down first (drop, then
apply-then-drop, then 5xx, then 429: one fault per request), then the rates draw from a
`random.Random` seeded with `seed`, so a run with a seed injects the same faults at the same
requests every time.

A plain drop loses the request before it is served: nothing changed. `drop_after_apply_burst`
is the other half of an unreliable network: the write is carried out and only its answer is
lost, so a client must find out from Heroku whether its last write happened.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
    retry_after: float | None = Field(default=None, ge=0, le=86_400, allow_inf_nan=False)
    drop_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    drop_burst: int = Field(default=0, ge=0)
    # A regular expression searched in "METHOD /path": only matching requests use up `drop_burst`.
    drop_match: str = Field(default="", max_length=500)
    drop_after_apply_burst: int = Field(default=0, ge=0)
    # A regular expression searched in "METHOD /path"; only writes (not GET/HEAD) ever match.
    drop_after_apply_match: str = Field(default="", max_length=500)
    fail_promotion_targets: tuple[str, ...] = ()
    seed: int | None = None

    @field_validator("drop_match", "drop_after_apply_match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a regular expression: {err}") from None
        return value


class Fault(Enum):
    DROP = "drop"
    APPLY_THEN_DROP = "apply_then_drop"
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

    def decide(self, method: str, path: str) -> Decision:
        """Consume one request's worth of faults."""
        with self._lock:
            f = self._faults
            latency = f.latency_ms / 1000
            if f.drop_burst and re.search(f.drop_match, f"{method} {path}"):
                self._faults = f.model_copy(update={"drop_burst": f.drop_burst - 1})
                return Decision(latency, Fault.DROP)
            if f.drop_after_apply_burst and _is_write_matching(method, path, f.drop_after_apply_match):
                self._faults = f.model_copy(update={"drop_after_apply_burst": f.drop_after_apply_burst - 1})
                return Decision(latency, Fault.APPLY_THEN_DROP)
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


def _is_write_matching(method: str, path: str, pattern: str) -> bool:
    return method not in ("GET", "HEAD") and re.search(pattern, f"{method} {path}") is not None
