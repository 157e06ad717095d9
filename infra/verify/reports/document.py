"""The JSON report as typed documents: what `--report json=PATH` writes and `--json-schema` publishes.

The models are the one definition of the report's shape: `json_report` serialises them and
`schema` generates the JSON Schema from them. Every object forbids other fields (the schema says
`additionalProperties: false`); a field with a default may be absent from an older report.
A change that removes or retypes a field bumps `REPORT_SCHEMA_ID` (`@2`); adding a field with a
default does not. `tests/verify/test_report_schema.py` holds the published `@1` shape to it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from infra.errors import ExitCode
from infra.verify.findings import Attribution, Finding, Outcome, WaiverRef
from infra.verify.result import ApiUsage, Count, Coverage, VerificationResult

REPORT_SCHEMA_ID = "heroku-stack/verification-report@1"

# Timestamps as the report has always written them: UTC with a `Z`.
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda when: when.astimezone(UTC).isoformat().replace("+00:00", "Z"), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Seconds = Annotated[float, Field(ge=0)]
SecretsCheckedBy = Literal["fingerprint", "presence", "fingerprint and presence"]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingDoc(_Document):
    check_id: str = Field(min_length=1)
    app: str
    kind: str
    outcome: Outcome
    summary: str
    expected: str | None
    actual: str | None
    sensitive: bool = Field(description="true when the values are redacted (secrets)")
    platform_managed: str | None
    attribution: Attribution | None
    remedy: list[str]
    waiver: WaiverRef | None
    waived_from: Literal["missing", "changed", "unmanaged"] | None
    attempts: Count
    duration_seconds: Seconds
    severity: Literal["normal", "security"] = Field(
        default="normal",
        description="security: someone has access the stack does not grant (never waived by a baseline)",
    )

    @classmethod
    def of(cls, f: Finding) -> FindingDoc:
        return cls(
            check_id=f.check_id,
            app=f.app,
            kind=f.kind,
            outcome=f.outcome,
            summary=f.summary,
            expected=f.expected,
            actual=f.actual,
            sensitive=f.sensitive,
            platform_managed=f.platform_managed,
            attribution=f.attribution,
            remedy=list(f.remedy),
            waiver=f.waiver,
            waived_from=None if f.waived_from is None else f.waived_from.value,
            attempts=f.attempts,
            duration_seconds=f.duration_seconds,
            severity=f.severity,
        )


class Counts(_Document):
    """How many findings ended in each outcome (`Outcome`), every one present."""

    model_config = ConfigDict(populate_by_name=True)

    pass_: Count = Field(alias="pass")
    missing: Count
    changed: Count
    unmanaged: Count
    pending: Count
    error: Count
    waived: Count


class StackDoc(_Document):
    project: str
    stack: str
    stage: str
    started_at: Timestamp
    duration_seconds: Seconds
    exit_code: ExitCode
    secrets_checked_by: SecretsCheckedBy
    scope: list[str]
    counts: Counts
    coverage: list[Coverage]
    api: ApiUsage
    warnings: list[str]
    findings: list[FindingDoc]

    @classmethod
    def of(cls, r: VerificationResult) -> StackDoc:
        return cls(
            project=r.project,
            stack=r.stack,
            stage=r.stage,
            started_at=r.started_at,
            duration_seconds=r.duration_seconds,
            exit_code=r.exit_code,
            secrets_checked_by=r.secrets_checked_by,
            scope=list(r.scope),
            counts=Counts.model_validate(r.counts),
            coverage=list(r.coverage),
            api=r.api,
            warnings=list(r.warnings),
            findings=[FindingDoc.of(f) for f in r.findings],
        )


class ToolDoc(_Document):
    name: Literal["heroku-stack"]
    version: str


class ReportDoc(_Document):
    """A verification report of one or more stacks (`heroku-stack verify/drift --report json=PATH`)."""

    model_config = ConfigDict(title="heroku-stack verification report")

    schema_: Literal["heroku-stack/verification-report@1"] = Field(alias="schema")
    tool: ToolDoc
    generated_at: Timestamp
    exit_code: ExitCode
    exit_meaning: str
    stacks: list[StackDoc]


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)
