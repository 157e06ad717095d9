"""Time, injected: every retry, poll and deadline takes a `Clock`, so tests never sleep for real."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean anything."""
        ...

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when slept on or advanced; records every sleep."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        self._elapsed += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


def doubling_waits(first: float = 0.2, cap: float = 10.0) -> Iterator[float]:
    """Waits between two reads of a poll: `first`, doubling, capped at `cap`.

    Terraform's `StateChangeConf` (every wait of terraform-provider-heroku) polls at 0.2 s,
    0.4 s, 0.8 s ... up to 10 s; the program's own waits keep the same cadence.
    """
    wait = first
    while True:
        yield wait
        wait = min(wait * 2, cap)
