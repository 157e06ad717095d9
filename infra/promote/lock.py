"""One promotion of a pipeline at a time on this machine: an exclusive lock file beside the journals.

`PipelineLock(directory, pipeline)` creates `<pipeline>.lock` by hard-linking a complete file
into place (atomic, and refused when it exists, on every local filesystem), holding who took
it: pid, host, start time and the command. A second `promote` finds it and refuses with
`PromotionLocked` (exit 9), naming the holder. A lock left by a process that no longer runs
on this host is stale: it is removed, and the run says so. A lock from another host cannot be
checked from here; the refusal says how to remove it once that run is known to be over.

Two machines with separate journal directories do not see each other's locks: the promotion
also checks that production has not moved since the gate just before each POST
(`infra.promote.promotion.start`).
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path
from types import TracebackType

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from infra.errors import PromotionLocked

LOCK_SCHEMA = "heroku-stack/promotion-lock@1"


class LockHolder(BaseModel):
    """What the lock file says about the run that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(default=LOCK_SCHEMA, alias="schema")
    pipeline: str
    pid: int
    host: str
    started_at: str
    command: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, since {self.started_at} ({self.command})"


class PipelineLock:
    """Context manager holding the pipeline's lock; `stale_note` says if a dead holder's lock was removed."""

    def __init__(self, directory: Path, pipeline: str, started_at: str) -> None:
        self.path = directory / f"{pipeline}.lock"
        self.holder = LockHolder(
            pipeline=pipeline,
            pid=os.getpid(),
            host=socket.gethostname(),
            started_at=started_at,
            command=" ".join(["heroku-stack", *sys.argv[1:]])[:200],
        )
        self.stale_note: str | None = None

    def __enter__(self) -> PipelineLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self._create():
            other = self._read()
            if other is None or not _is_dead_here(other):
                raise PromotionLocked(self._refusal(other))
            self.path.unlink(missing_ok=True)
            self.stale_note = f"removed a stale promotion lock left by {other.describe()}, which is no longer running"
            if not self._create():  # another run took it between the unlink and now
                raise PromotionLocked(self._refusal(self._read()))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._read() == self.holder:  # never remove a lock another run has taken since
            self.path.unlink(missing_ok=True)

    def _create(self) -> bool:
        """Take the lock: written whole to a temporary file, then linked into place (fails if it exists).

        Creating the lock file itself and then writing it would let another run see it empty in
        between, and refuse with advice to remove a live lock.
        """
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.holder.model_dump_json(by_alias=True, indent=2) + "\n")
            os.chmod(temporary, 0o644)
            os.link(temporary, self.path)
        except FileExistsError:
            return False
        finally:
            Path(temporary).unlink(missing_ok=True)
        return True

    def _read(self) -> LockHolder | None:
        try:
            return LockHolder.model_validate_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValidationError, UnicodeDecodeError):
            return None

    def _refusal(self, other: LockHolder | None) -> str:
        pipeline = self.holder.pipeline
        if other is None:
            return (
                f"another promotion of pipeline {pipeline} holds {self.path} (unreadable); nothing was changed. "
                "Remove that file once no promotion is running."
            )
        remove = "" if other.host == self.holder.host else f"; if that run is over, remove {self.path}"
        return f"another promotion of pipeline {pipeline} is running: {other.describe()}; nothing was changed{remove}"


def _is_dead_here(holder: LockHolder) -> bool:
    """True when `holder` ran on this host and its process is gone (a crash, a killed CI job)."""
    if holder.host != socket.gethostname():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False
