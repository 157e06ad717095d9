"""Findings: the one vocabulary every check, report and exit code speaks.

A finding is the result of one check against one live object. Its outcome is one of
seven words; `platform_managed` is an annotation (Heroku made it, not a person), never an
outcome. Values shown in a finding are display strings that have already been redacted:
a finding cannot carry a secret, because nothing secret is ever handed to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field

# How the JSON report (`reports.document`) serialises the plain records below: every field always written.
REPORTED = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class Outcome(StrEnum):
    """What a check found."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password; live matches the plan
    MISSING = "missing"  # declared, not live
    CHANGED = "changed"  # declared and live, but different
    UNMANAGED = "unmanaged"  # live, not declared
    PENDING = "pending"  # still converging when its deadline passed
    ERROR = "error"  # could not be checked (API failure, unreachable app)
    WAIVED = "waived"  # a drift finding covered by an active waiver

    @property
    def is_drift(self) -> bool:
        return self in DRIFT_OUTCOMES


DRIFT_OUTCOMES = frozenset({Outcome.MISSING, Outcome.CHANGED, Outcome.UNMANAGED})
# Order in which reports list findings: what needs a person first.
OUTCOME_ORDER = (
    Outcome.ERROR,
    Outcome.MISSING,
    Outcome.CHANGED,
    Outcome.UNMANAGED,
    Outcome.PENDING,
    Outcome.WAIVED,
    Outcome.PASS,
)


@dataclass(frozen=True)
class Attribution:
    """Who made a change and when, from Heroku's release log; or why the log cannot say."""

    __pydantic_config__: ClassVar[ConfigDict] = REPORTED

    note: str
    version: int | None = None
    user: str | None = None
    description: str | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class WaiverRef:
    """The waiver that covered a finding (or that expired before it could)."""

    __pydantic_config__: ClassVar[ConfigDict] = REPORTED

    pattern: str
    reason: str
    owner: str
    expires: Annotated[str, Field(json_schema_extra={"format": "date"})]
    expired: bool = False


@dataclass(frozen=True)
class Finding:
    """One check's result. `expected`/`actual` are display strings, redacted for secrets."""

    check_id: str
    app: str
    kind: str
    outcome: Outcome
    summary: str
    expected: str | None = None
    actual: str | None = None
    sensitive: bool = False
    platform_managed: str | None = None
    attribution: Attribution | None = None
    remedy: tuple[str, ...] = ()
    waiver: WaiverRef | None = None
    waived_from: Outcome | None = None  # the drift outcome a waiver covers
    attempts: int = 1
    duration_seconds: float = 0.0

    @property
    def liveness(self) -> bool:
        """A check that says whether the app is up at all: its health, its existence, its latest release.

        A baseline never waives one (accepting today's outage as "drift" would hide it every night
        after); an explicit, hand-written waiver may, and the run says so loudly.
        """
        return self.kind in ("health", "release") or self.check_id == f"{self.app}/app"

    @property
    def security(self) -> bool:
        """Someone has access to an app that the stack does not grant (possibly someone who should not).

        Reported with severity `security` in every format; like liveness, a baseline never waives it.
        """
        drift = self.waived_from if self.outcome is Outcome.WAIVED else self.outcome
        return self.kind == "access" and drift is Outcome.UNMANAGED

    @property
    def severity(self) -> str:
        return "security" if self.security else "normal"

    @property
    def failed(self) -> bool:
        """True when this finding by itself makes the run unclean."""
        return self.outcome in DRIFT_OUTCOMES or self.outcome in (Outcome.ERROR, Outcome.PENDING)


def sort_key(finding: Finding) -> tuple[int, str]:
    """Failures first (errors, then drift, then pending), then waived, then passes; by check id within."""
    return (OUTCOME_ORDER.index(finding.outcome), finding.check_id)
