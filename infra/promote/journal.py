"""The promotion journal: a JSON record of every step, request id and outcome, written as it goes.

One file per promotion (`.heroku-stack/promotions/<id>.json` by default), rewritten
atomically (temporary file, fsync, rename) after every change, so a crash or Ctrl-C leaves
the last state that was true. The phase says how far the promotion got; the next run reads
an open journal and resumes from there, which is how production is never left
half-promoted without the tool saying so.

Phases, in order::

    preflight      the gate is reading; nothing has been written
    confirmed      a person (or --yes) agreed; nothing has been written yet
    promoting      POST /pipeline-promotions is being sent or polled, per app
    promoted       every target succeeded; slug check and post-flight under way
    rolling-back   POST /apps/{app}/releases {"release": previous} is being sent or awaited
    closed         finished; `outcome` says how

An open journal is one not closed: an interrupted run, or one whose outcome is `needs-attention`
(its phase says where the next run resumes).
"""

from __future__ import annotations

import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from infra.errors import ExitCode, PromotionError
from infra.verify.live import LiveRelease

JOURNAL_SCHEMA = "heroku-stack/promotion-journal@1"
DEFAULT_JOURNAL_DIR = Path(".heroku-stack") / "promotions"


class Phase(StrEnum):
    PREFLIGHT = "preflight"
    CONFIRMED = "confirmed"
    PROMOTING = "promoting"
    PROMOTED = "promoted"
    ROLLING_BACK = "rolling-back"
    CLOSED = "closed"


class PromotionOutcome(StrEnum):
    """How a promotion ended, and the exit code that says so."""

    SUCCEEDED = "succeeded"  # production runs staging's build and is healthy
    UP_TO_DATE = "up-to-date"  # production already ran staging's build; nothing to do
    BLOCKED = "blocked"  # the gate refused; nothing written
    DECLINED = "declined"  # no --yes, or "no" at the prompt; nothing written
    ABANDONED = "abandoned"  # interrupted before any write; nothing written
    FAILED = "failed"  # the promotion failed and production is unchanged
    ROLLED_BACK = "rolled-back"  # post-flight failed; production was rolled back and is healthy
    ROLLED_BACK_AS_ASKED = "rolled-back-as-asked"  # --rollback; production was rolled back and is healthy
    NEEDS_ATTENTION = "needs-attention"  # production is not where it should be; a person must act
    RESOLVED = "resolved"  # a person settled production by hand and closed the journal

    @property
    def exit_code(self) -> ExitCode:
        return _EXIT_CODES[self]


_EXIT_CODES = {
    PromotionOutcome.SUCCEEDED: ExitCode.OK,
    PromotionOutcome.UP_TO_DATE: ExitCode.OK,
    PromotionOutcome.BLOCKED: ExitCode.BLOCKED,
    PromotionOutcome.DECLINED: ExitCode.DECLINED,
    PromotionOutcome.ABANDONED: ExitCode.ERROR,
    PromotionOutcome.FAILED: ExitCode.NEEDS_ATTENTION,
    PromotionOutcome.ROLLED_BACK: ExitCode.ROLLED_BACK,
    PromotionOutcome.ROLLED_BACK_AS_ASKED: ExitCode.ROLLED_BACK_AS_ASKED,
    PromotionOutcome.NEEDS_ATTENTION: ExitCode.NEEDS_ATTENTION,
    PromotionOutcome.RESOLVED: ExitCode.OK,
}


class _Record(BaseModel):
    """A part of the journal: mutable as the promotion goes, serialised and read back by pydantic."""

    model_config = ConfigDict(extra="forbid")


class RequestRecord(_Record):
    """One HTTP request a step made: what, how it ended, and Heroku's Request-Id for support tickets."""

    method: str
    path: str
    status: int | None
    request_id: str | None


class Step(_Record):
    name: str
    started_at: str
    finished_at: str | None = None
    result: str | None = None  # ok | failed | interrupted
    detail: str = ""
    duration_seconds: float | None = None
    requests: list[RequestRecord] = Field(default_factory=list)


class ReleaseRef(_Record):
    """What the journal keeps of a release: enough to find it, and the slug it runs."""

    id: str
    version: int
    slug_id: str | None

    @classmethod
    def of(cls, release: LiveRelease) -> ReleaseRef:
        return cls(id=release.id, version=release.version, slug_id=release.slug_id)


class AppPromotion(_Record):
    """One staging -> production app pair (paired by app key) and what happened to it."""

    key: str
    source_app: str
    source_app_id: str
    target_app: str
    target_app_id: str
    source_release: ReleaseRef
    previous_release: ReleaseRef  # production's current release before the promotion
    promotion_id: str | None = None
    # The POST went out but its answer was lost (dropped, timed out, 5xx): Heroku may have applied it.
    # Never sent again for this journal; where production is decides.
    answer_lost: bool = False
    target_status: str | None = None  # pending | succeeded | failed, from promotion-targets
    error_message: str | None = None
    promoted_release: ReleaseRef | None = None
    rollback_requested: bool = False
    rollback_release: ReleaseRef | None = None


class Journal(_Record):
    """Everything a later run needs to know where a promotion stands."""

    schema_: Literal["heroku-stack/promotion-journal@1"] = Field(
        default="heroku-stack/promotion-journal@1", alias="schema"
    )
    id: str
    created_at: str
    source_stack: str
    target_stack: str
    pipeline: str
    pipeline_id: str | None
    rollback: bool
    phase: Phase = Phase.PREFLIGHT
    outcome: PromotionOutcome | None = None
    message: str = ""
    updated_at: str = ""
    apps: list[AppPromotion] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    path: Path | None = Field(default=None, exclude=True)  # where it is saved; not part of the document

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED

    @property
    def wrote(self) -> bool:
        """True once a write to production may have been sent."""
        return self.phase in (Phase.PROMOTING, Phase.PROMOTED, Phase.ROLLING_BACK) or any(
            a.promotion_id or a.answer_lost or a.rollback_requested for a in self.apps
        )

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def read(cls, data: object, path: Path | None = None) -> Journal:
        """A journal from its JSON document; ValueError when it is not one."""
        schema = data.get("schema") if isinstance(data, dict) else None
        if schema != JOURNAL_SCHEMA:
            raise ValueError(f"not a promotion journal (schema {schema!r}, expected {JOURNAL_SCHEMA!r})")
        journal = cls.model_validate(data)
        journal.path = path
        return journal


class JournalStore:
    """The directory of journals: create, save atomically, find the open one for a stack pair."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, journal_id: str) -> Path:
        return self.directory / f"{journal_id}.json"

    def save(self, journal: Journal) -> Path:
        """Write `journal` atomically; the file is either the old or the new state, never half of one."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = journal.path or self.path_for(journal.id)
        text = json.dumps(journal.document(), indent=2, sort_keys=False) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{journal.id}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        journal.path = path
        return path

    def load(self, path: Path) -> Journal:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Journal.read(data, path)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise PromotionError(
                f"{path}: cannot read this promotion journal ({err}); move it aside once production is checked"
            ) from None

    def all(self) -> list[Journal]:
        """Every journal in the directory, oldest first (ids sort by creation time)."""
        if not self.directory.is_dir():
            return []
        return [self.load(p) for p in sorted(self.directory.glob("*.json"))]

    def open_for(self, source_stack: str, target_stack: str) -> Journal | None:
        """The newest open journal promoting `source_stack` to `target_stack`, if any."""
        candidates = [
            j for j in self.all() if j.is_open and (j.source_stack, j.target_stack) == (source_stack, target_stack)
        ]
        return candidates[-1] if candidates else None
