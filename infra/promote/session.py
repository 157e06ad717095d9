"""What every promotion step shares: the journal, the clients, the clock, deadlines and output.

`Session.step(name)` opens a journal step, attributes every request sent meanwhile to it,
and saves the journal when the step ends, however it ends; so the file on disk always
says what was last asked of Heroku and how it went.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from infra.clock import Clock, Waiter
from infra.promote.gate import StackCheck
from infra.promote.heroku_calls import PromotionReads, PromotionWrites, RequestRecorder
from infra.promote.journal import Journal, JournalStore, Step
from infra.spec.models import StackSpec

Output = Callable[[str], None]


@dataclass(frozen=True)
class Timing:
    """Deadlines and poll intervals, in seconds on the injected clock.

    promotion_deadline: from `POST /pipeline-promotions` until every target is final; a promotion
        still pending then is a failure (Heroku's own CLI would wait forever).
    release_deadline: for a new release (promoted or rolled back) to leave `pending` (release phase).
    first_poll, max_poll: polling starts at `first_poll` and doubles up to `max_poll`, like the
        provider's waits (research/heroku-api.md §2), so a slow promotion costs few requests.
    """

    promotion_deadline: float = 600.0
    release_deadline: float = 600.0
    first_poll: float = 1.0
    max_poll: float = 10.0

    def waiter(self, deadline: float) -> Waiter:
        return Waiter(timeout=deadline, first=self.first_poll, cap=self.max_poll)


class StackVerifier(Protocol):
    """Verification of one stack as the gate and post-flight need it (see `infra.promote.verification`)."""

    async def verify(self, spec: StackSpec, *, read_also: frozenset[str] = frozenset()) -> StackCheck:
        """Verify `spec`'s apps against Heroku; health must come from each app's current release.

        The check carries what was read (`StackCheck.live`), including the collections in
        `read_also` that no check needs, so the gate builds its evidence without reading again.
        """
        ...


@dataclass
class Session:
    journal: Journal
    store: JournalStore | None  # None in a dry run: nothing is written, not even the journal
    reads: PromotionReads
    recorder: RequestRecorder
    clock: Clock
    timing: Timing
    verifier: StackVerifier
    open_writes: Callable[[], PromotionWrites]
    out: Output
    progress: Callable[[str], None] | None = None

    def waiting(self, line: str) -> None:
        """Say what the promotion waits for (stderr in the CLI), so a slow release phase is never silent."""
        if self.progress is not None:
            self.progress(line)

    def save(self) -> None:
        self.journal.updated_at = iso(self.clock)
        if self.store is not None:
            self.store.save(self.journal)

    @asynccontextmanager
    async def step(self, name: str) -> AsyncIterator[Step]:
        """A journal step; requests made inside are recorded in it; saved on the way out."""
        step = Step(name=name, started_at=iso(self.clock))
        started = self.clock.monotonic()
        self.journal.steps.append(step)
        try:
            with self.recorder.into(step.requests):
                yield step
        except BaseException as err:
            interrupted = isinstance(err, (KeyboardInterrupt, SystemExit, asyncio.CancelledError))
            step.result = "interrupted" if interrupted else "failed"
            step.detail = step.detail or (str(err) or type(err).__name__)
            raise
        else:
            step.result = step.result or "ok"
        finally:
            step.finished_at = iso(self.clock)
            step.duration_seconds = round(self.clock.monotonic() - started, 3)
            self.save()


def iso(clock: Clock) -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
