"""Playing a `Script` against the Heroku API: its requests, the provider's polls and its sleeps.

Polls follow Terraform's `StateChangeConf` as the provider uses it (research heroku-api.md §2):
the first read at once, then waits of 0.2 s, 0.4 s, 0.8 s ... doubling up to 10 s, until the
state is a target, any state that is neither pending nor a target failing at once, within the
provider's timeout for that wait. Every wait goes through the injected clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.clock import Clock, doubling_waits
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


def poll_waits() -> Iterator[float]:
    """The waits between two reads of a poll: 0.2 s, doubling, capped at 10 s (Terraform's cadence)."""
    return doubling_waits()


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
    path, body = fill(step.path, done.answers), fill_body(step.body, done.answers)
    deadline = clock.monotonic() + step.retry_for
    waits = poll_waits()
    while True:
        try:
            done.requests += 1
            return await heroku.request(step.method, path, json=body)
        except HerokuAPIError as err:
            if step.absent_ok and err.status == 404:
                return None
            retry = step.retry_while is not None and step.retry_while in err.api_message
            if not retry or clock.monotonic() >= deadline:
                raise
            await clock.sleep(next(waits))


async def _poll(heroku: HerokuClient, step: Poll, done: Replayed, clock: Clock) -> None:
    path = fill(step.path, done.answers)
    deadline = clock.monotonic() + step.timeout
    waits = poll_waits()
    while True:
        done.requests += 1
        answer = await heroku.get(path)
        state = answer.get(step.field)
        if state in step.target:
            return
        if state not in step.pending:
            detail = _failure_detail(answer)
            raise RehearsalError(f"GET {path}: the {step.what} is {state!r}, expected {step.target[0]!r}{detail}")
        if clock.monotonic() >= deadline:
            raise RehearsalError(f"GET {path}: the {step.what} is still {state!r} after {step.timeout:.0f}s")
        await clock.sleep(next(waits))


async def _await_config_vars(heroku: HerokuClient, step: AwaitConfigVars, done: Replayed, clock: Clock) -> None:
    path = fill(step.path, done.answers)
    names = set(field_of(done.answers, step.names.answer, step.names.field) or ())
    deadline = clock.monotonic() + step.timeout
    waits = poll_waits()
    while True:
        done.requests += 1
        missing = sorted(names - set(await heroku.get(path)))
        if not missing:
            return
        if clock.monotonic() >= deadline:
            raise RehearsalError(f"GET {path}: {', '.join(missing)} still not set after {step.timeout:.0f}s")
        await clock.sleep(next(waits))


def _failure_detail(answer: Mapping[str, Any]) -> str:
    # A failed build points at its log, as the provider's error does.
    url = answer.get("output_stream_url")
    return f" (see its output: {url})" if isinstance(url, str) and url else ""
