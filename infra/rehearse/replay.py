"""Playing a `Script` against the Heroku API: its requests, the provider's polls and its sleeps.

Polls follow Terraform's `StateChangeConf` as the provider uses it (research heroku-api.md §2):
the first read at once, then waits of 0.2 s, 0.4 s, 0.8 s ... doubling up to 10 s, until the
state is a target, any state that is neither pending nor a target failing at once, within the
provider's timeout for that wait. Every wait goes through the injected clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from infra.clock import Clock
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

FIRST_WAIT = 0.2
MAX_WAIT = 10.0


def poll_waits() -> Iterator[float]:
    """The waits between two reads of a poll: 0.2 s, doubling, capped at 10 s."""
    wait = FIRST_WAIT
    while True:
        yield wait
        wait = min(wait * 2, MAX_WAIT)


async def replay(heroku: HerokuClient, script: Script, clock: Clock) -> dict[str, str]:
    """Send `script`'s requests in order; its outputs (id, ...) from the answers. Heroku's errors propagate."""
    kept: dict[str, Any] = {}
    for step in script.steps:
        if isinstance(step, Call):
            answer = await _call(heroku, step, kept, clock)
            if step.keep:
                kept[step.keep] = answer
        elif isinstance(step, NewestRelease):
            path = fill(step.path, kept)
            newest = await heroku.get_list(path, sort="version", order="desc", limit=1)
            if not newest:
                raise RehearsalError(f"GET {path}: no release found (Heroku gives every app at least one)")
            kept[step.keep] = newest[0]
        elif isinstance(step, Poll):
            await _poll(heroku, step, kept, clock)
        elif isinstance(step, AwaitConfigVars):
            await _await_config_vars(heroku, step, kept, clock)
        elif isinstance(step, Pause) and step.seconds > 0:
            await clock.sleep(step.seconds)
    return {name: fill(template, kept) for name, template in script.outputs.items()}


async def _call(heroku: HerokuClient, step: Call, kept: Mapping[str, Any], clock: Clock) -> Any:
    path, body = fill(step.path, kept), fill_body(step.body, kept)
    deadline = clock.monotonic() + step.retry_for
    waits = poll_waits()
    while True:
        try:
            return await heroku.request(step.method, path, json=body)
        except HerokuAPIError as err:
            retry = step.retry_while is not None and step.retry_while in err.api_message
            if not retry or clock.monotonic() >= deadline:
                raise
            await clock.sleep(next(waits))


async def _poll(heroku: HerokuClient, step: Poll, kept: Mapping[str, Any], clock: Clock) -> None:
    path = fill(step.path, kept)
    deadline = clock.monotonic() + step.timeout
    waits = poll_waits()
    while True:
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


async def _await_config_vars(
    heroku: HerokuClient, step: AwaitConfigVars, kept: Mapping[str, Any], clock: Clock
) -> None:
    path = fill(step.path, kept)
    names = set(field_of(kept, step.names.answer, step.names.field) or ())
    deadline = clock.monotonic() + step.timeout
    waits = poll_waits()
    while True:
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
