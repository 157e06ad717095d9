"""Time, injected: every retry, poll and deadline takes a `Clock`, so tests never sleep for real."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


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


@dataclass(frozen=True)
class Waiter:
    """How a poll waits, as configuration (like aws-cli's waiters): for `timeout` seconds, reading
    again after `first` seconds, then doubling up to `cap`."""

    timeout: float
    first: float = 0.2
    cap: float = 10.0


class PollTimedOut(Exception):
    """A `poll_until` ran out of time; `last` is what its final read returned."""

    def __init__(self, last: Any, waiter: Waiter) -> None:
        super().__init__(f"not done after {waiter.timeout:.0f}s")
        self.last = last
        self.waiter = waiter


async def poll_until(
    read: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    clock: Clock,
    waiter: Waiter,
    waiting: Callable[[T, float], None] | None = None,
) -> T:
    """`read()` until `done` says its value is final, and that value; PollTimedOut once time runs out.

    The one way every poll of the product waits: on the injected clock, never sleeping past the
    deadline, and reading one last time at it. `waiting` hears each value that is not final and
    the seconds left, for a progress line. `done` may raise to end the poll early (a failed state).
    """
    deadline = clock.monotonic() + waiter.timeout
    wait = waiter.first
    while True:
        value = await read()
        if done(value):
            return value
        left = deadline - clock.monotonic()
        if left <= 0:
            raise PollTimedOut(value, waiter)
        if waiting is not None:
            waiting(value, left)
        await clock.sleep(min(wait, left))
        wait = min(wait * 2, waiter.cap)
