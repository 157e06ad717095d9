"""Playing a `Script` against the Heroku API: its requests, the provider's polls and its sleeps.

Polls follow Terraform's `StateChangeConf` as the provider uses it (research heroku-api.md §2):
the first read at once, then waits of 0.2 s, 0.4 s, 0.8 s ... doubling up to 10 s, until the
state is a target, any state that is neither pending nor a target failing at once, within the
provider's timeout for that wait. Every wait goes through the injected clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.clock import Clock, PollTimedOut, Waiter, poll_until
from infra.errors import HerokuAPIError, RehearsalError
from infra.heroku import HerokuClient
from infra.rehearse.steps import (
    AwaitConfigVars,
    Call,
    NewestRelease,
    Pause,
    Poll,
    Script,
    field_of,
    fill,
    fill_body,
)


@dataclass
class Replayed:
    """What playing a script gave: its outputs, the answers it kept (by name), and how many requests it sent."""

    outputs: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    requests: int = 0


async def replay(heroku: HerokuClient, script: Script, clock: Clock) -> Replayed:
    """Send `script`'s requests in order; its outputs (id, ...) from the answers. Heroku's errors propagate.

    Requests are counted here, not from the client's totals, because other scripts may run at the same time.
    """
    done = Replayed()
    kept = done.answers
    for step in script.steps:
        if isinstance(step, Call):
            answer = await _call(heroku, step, done, clock)
            if step.keep:
                kept[step.keep] = answer
        elif isinstance(step, NewestRelease):
            path = fill(step.path, kept)
            done.requests += 1
            newest = await heroku.get_list(path, sort="version", order="desc", limit=1)
            if not newest:
                raise RehearsalError(f"GET {path}: no release found (Heroku gives every app at least one)")
            kept[step.keep] = newest[0]
        elif isinstance(step, Poll):
            await _poll(heroku, step, done, clock)
        elif isinstance(step, AwaitConfigVars):
            await _await_config_vars(heroku, step, done, clock)
        elif isinstance(step, Pause) and step.seconds > 0:
            await clock.sleep(step.seconds)
    done.outputs = {name: fill(template, kept) for name, template in script.outputs.items()}
    return done


async def _call(heroku: HerokuClient, step: Call, done: Replayed, clock: Clock) -> Any:
    """The request, sent again (as the provider's retry loops do) while Heroku refuses it with `retry_while`."""
    path, body = fill(step.path, done.answers), fill_body(step.body, done.answers)

    async def attempt() -> tuple[Any, HerokuAPIError | None]:
        done.requests += 1
        try:
            return await heroku.request(step.method, path, json=body), None
        except HerokuAPIError as err:
            if step.absent_ok and err.status == 404:
                return None, None
            if step.retry_while is None or step.retry_while not in err.api_message:
                raise
            return None, err

    try:
        answer, _ = await poll_until(attempt, lambda got: got[1] is None, clock=clock, waiter=Waiter(step.retry_for))
    except PollTimedOut as timed_out:
        raise timed_out.last[1] from None
    return answer


async def _poll(heroku: HerokuClient, step: Poll, done: Replayed, clock: Clock) -> None:
    path = fill(step.path, done.answers)

    def final(answer: dict[str, Any]) -> bool:
        state = answer.get(step.field)
        if state in step.target:
            return True
        if state not in step.pending:
            detail = _failure_detail(answer)
            raise RehearsalError(f"GET {path}: the {step.what} is {state!r}, expected {step.target[0]!r}{detail}")
        return False

    async def answer() -> dict[str, Any]:
        done.requests += 1
        return await heroku.get(path)

    try:
        await poll_until(answer, final, clock=clock, waiter=Waiter(step.timeout))
    except PollTimedOut as timed_out:
        state = timed_out.last.get(step.field)
        raise RehearsalError(f"GET {path}: the {step.what} is still {state!r} after {step.timeout:.0f}s") from None


async def _await_config_vars(heroku: HerokuClient, step: AwaitConfigVars, done: Replayed, clock: Clock) -> None:
    path = fill(step.path, done.answers)
    names = set(field_of(done.answers, step.names.answer, step.names.field) or ())

    async def missing() -> list[str]:
        done.requests += 1
        return sorted(names - set(await heroku.get(path)))

    try:
        await poll_until(missing, lambda still: not still, clock=clock, waiter=Waiter(step.timeout))
    except PollTimedOut as timed_out:
        still = ", ".join(timed_out.last)
        raise RehearsalError(f"GET {path}: {still} still not set after {step.timeout:.0f}s") from None


def _failure_detail(answer: Mapping[str, Any]) -> str:
    # A failed build points at its log, as the provider's error does.
    url = answer.get("output_stream_url")
    return f" (see its output: {url})" if isinstance(url, str) and url else ""
