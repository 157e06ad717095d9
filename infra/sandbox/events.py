"""Delayed state changes (release succeeded, add-on provisioned, build finished, promotion done).

Handlers register by kind; `after` runs one at once when its delay is 0 (inside the request
that caused it) or stores it with a due time. `settle` runs every due change at the start of
each request's transaction, so time-based behaviour follows the injected clock and survives a
restart, with no background task to race against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from infra.sandbox.store import Tx

if TYPE_CHECKING:
    from infra.sandbox.context import Sandbox

Handler = Callable[["Sandbox", Tx, str], None]

_HANDLERS: dict[str, Handler] = {}


def on(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that carries out delayed changes of `kind` (given the record id)."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return register


def after(sandbox: Sandbox, tx: Tx, delay: float, kind: str, ref: str) -> None:
    """Make `kind` happen to `ref` in `delay` seconds; at once (in this transaction) when `delay` <= 0."""
    if delay <= 0:
        _HANDLERS[kind](sandbox, tx, ref)
    else:
        tx.schedule(tx.now.timestamp() + delay, kind, ref)


def settle(sandbox: Sandbox, tx: Tx) -> None:
    """Carry out every change that has come due, oldest first."""
    now = tx.now.timestamp()
    while (event := tx.take_due(now)) is not None:
        handler = _HANDLERS.get(event.kind)
        if handler is not None:
            handler(sandbox, tx, event.ref)
