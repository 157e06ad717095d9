"""`poll_until`: the one way the product waits on Heroku (rehearsal, promotion, test fixtures)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from infra.clock import FakeClock, PollTimedOut, Waiter, poll_until

pytestmark = pytest.mark.anyio


def reads(*values: str) -> tuple[list[str], Callable[[], Awaitable[str]]]:
    """A read that answers `values` in turn (the last one for ever), and the list of what it answered."""
    answered: list[str] = []

    async def read() -> str:
        value = values[min(len(answered), len(values) - 1)]
        answered.append(value)
        return value

    return answered, read


async def test_it_reads_until_done_waiting_longer_each_time_up_to_the_cap() -> None:
    clock = FakeClock()
    answered, read = reads("pending", "pending", "pending", "pending", "succeeded")

    value = await poll_until(read, lambda v: v != "pending", clock=clock, waiter=Waiter(60, first=1, cap=3))

    assert (value, answered[-1], clock.sleeps) == ("succeeded", "succeeded", [1, 2, 3, 3])


async def test_it_never_sleeps_past_the_deadline_reads_once_more_at_it_then_says_what_it_last_saw() -> None:
    clock = FakeClock()
    heard: list[float] = []
    answered, read = reads("pending")

    with pytest.raises(PollTimedOut) as timed_out:
        await poll_until(
            read,
            lambda v: v != "pending",
            clock=clock,
            waiter=Waiter(5, first=2, cap=10),
            waiting=lambda _, left: heard.append(left),
        )

    assert (clock.sleeps, len(answered), heard) == ([2, 3], 3, [5, 3])
    assert (timed_out.value.last, str(timed_out.value)) == ("pending", "not done after 5s")


async def test_a_failed_state_ends_the_poll_at_once() -> None:
    clock = FakeClock()
    _, read = reads("pending", "failed")

    def final(value: str) -> bool:
        if value == "failed":
            raise RuntimeError("the build failed")
        return value == "succeeded"

    with pytest.raises(RuntimeError, match="the build failed"):
        await poll_until(read, final, clock=clock, waiter=Waiter(60))

    assert clock.sleeps == [0.2]
