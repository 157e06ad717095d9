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
from infra.verify.findings import Finding, Outcome
from infra.verify.result import VerificationResult

REPORT_SCHEMA_ID = "heroku-stack/verification-report@1"

# Timestamps as the report has always written them: UTC with a `Z`.
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda when: when.astimezone(UTC).isoformat().replace("+00:00", "Z"), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Count = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(ge=0)]
CoverageKind = Literal["config", "addon", "attachment", "domain", "formation", "drain"]  # result.COVERAGE_KINDS
SecretsCheckedBy = Literal["fingerprint", "presence", "fingerprint and presence"]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttributionDoc(_Document):
    note: str
    version: int | None
    user: str | None
    description: str | None
    created_at: str | None


class WaiverDoc(_Document):
    pattern: str
    reason: str
    owner: str
    expires: str = Field(json_schema_extra={"format": "date"})
    expired: bool


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
    attribution: AttributionDoc | None
    remedy: list[str]
    waiver: WaiverDoc | None
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
            attribution=None if f.attribution is None else AttributionDoc.model_validate(f.attribution.__dict__),
            remedy=list(f.remedy),
            waiver=None if f.waiver is None else WaiverDoc.model_validate(f.waiver.__dict__),
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


class CoverageDoc(_Document):
    kind: CoverageKind
    declared: Count
    live: Count
    percent: float | None


class ApiUsageDoc(_Document):
    requests: Count
    not_modified: Count
    retries: Count
    rate_limited: Count
    server_errors: Count
    transport_errors: Count
    rate_limit_remaining: int | None
    reused_from_previous_scan: Count


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
    coverage: list[CoverageDoc]
    api: ApiUsageDoc
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
            coverage=[
                CoverageDoc(kind=c.kind, declared=c.declared, live=c.live, percent=c.percent) for c in r.coverage
            ],
            api=ApiUsageDoc.model_validate(r.api.__dict__),
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
