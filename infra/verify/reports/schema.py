"""The JSON report's schema (JSON Schema draft 2020-12), versioned with the document's `schema` field.

Published by `heroku-stack verify --json-schema`. A change that removes or retypes a field
bumps the version (`@2`); adding an optional field does not.
"""

from __future__ import annotations

from typing import Any

from infra.errors import ExitCode
from infra.verify.findings import Outcome
from infra.verify.result import COVERAGE_KINDS

REPORT_SCHEMA_ID = "heroku-stack/verification-report@1"

_STR_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_ATTRIBUTION = {
    "type": "object",
    "required": ["note", "version", "user", "description", "created_at"],
    "additionalProperties": False,
    "properties": {
        "note": {"type": "string"},
        "version": {"type": ["integer", "null"]},
        "user": _STR_OR_NULL,
        "description": _STR_OR_NULL,
        "created_at": _STR_OR_NULL,
    },
}
_WAIVER = {
    "type": "object",
    "required": ["pattern", "reason", "owner", "expires", "expired"],
    "additionalProperties": False,
    "properties": {
        "pattern": {"type": "string"},
        "reason": {"type": "string"},
        "owner": {"type": "string"},
        "expires": {"type": "string", "format": "date"},
        "expired": {"type": "boolean"},
    },
}
_OUTCOMES = [o.value for o in Outcome]
_FINDING = {
    "type": "object",
    "required": [
        "check_id",
        "app",
        "kind",
        "outcome",
        "summary",
        "expected",
        "actual",
        "sensitive",
        "platform_managed",
        "attribution",
        "remedy",
        "waiver",
        "waived_from",
        "attempts",
        "duration_seconds",
    ],
    "additionalProperties": False,
    "properties": {
        "check_id": {"type": "string", "minLength": 1},
        "app": {"type": "string"},
        "kind": {"type": "string"},
        "outcome": {"enum": _OUTCOMES},
        "summary": {"type": "string"},
        "expected": _STR_OR_NULL,
        "actual": _STR_OR_NULL,
        "sensitive": {"type": "boolean", "description": "true when the values are redacted (secrets)"},
        "platform_managed": _STR_OR_NULL,
        "attribution": {"oneOf": [{"type": "null"}, _ATTRIBUTION]},
        "remedy": {"type": "array", "items": {"type": "string"}},
        "waiver": {"oneOf": [{"type": "null"}, _WAIVER]},
        "waived_from": {"enum": [None, "missing", "changed", "unmanaged"]},
        "attempts": {"type": "integer", "minimum": 0},
        "duration_seconds": {"type": "number", "minimum": 0},
        "severity": {
            "enum": ["normal", "security"],
            "description": "security: someone has access the stack does not grant (never waived by a baseline)",
        },
    },
}
_STACK = {
    "type": "object",
    "required": [
        "project",
        "stack",
        "stage",
        "started_at",
        "duration_seconds",
        "exit_code",
        "secrets_checked_by",
        "scope",
        "counts",
        "coverage",
        "api",
        "warnings",
        "findings",
    ],
    "additionalProperties": False,
    "properties": {
        "project": {"type": "string"},
        "stack": {"type": "string"},
        "stage": {"type": "string"},
        "started_at": {"type": "string", "format": "date-time"},
        "duration_seconds": {"type": "number", "minimum": 0},
        "exit_code": {"enum": [c.value for c in ExitCode]},
        "secrets_checked_by": {"enum": ["fingerprint", "presence", "fingerprint and presence"]},
        "scope": {"type": "array", "items": {"type": "string"}},
        "counts": {
            "type": "object",
            "required": _OUTCOMES,
            "additionalProperties": False,
            "properties": {o: {"type": "integer", "minimum": 0} for o in _OUTCOMES},
        },
        "coverage": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "declared", "live", "percent"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": list(COVERAGE_KINDS)},
                    "declared": {"type": "integer", "minimum": 0},
                    "live": {"type": "integer", "minimum": 0},
                    "percent": {"type": ["number", "null"]},
                },
            },
        },
        "api": {
            "type": "object",
            "required": [
                "requests",
                "not_modified",
                "retries",
                "rate_limited",
                "server_errors",
                "transport_errors",
                "rate_limit_remaining",
                "reused_from_previous_scan",
            ],
            "additionalProperties": False,
            "properties": {
                "requests": {"type": "integer", "minimum": 0},
                "not_modified": {"type": "integer", "minimum": 0},
                "retries": {"type": "integer", "minimum": 0},
                "rate_limited": {"type": "integer", "minimum": 0},
                "server_errors": {"type": "integer", "minimum": 0},
                "transport_errors": {"type": "integer", "minimum": 0},
                "rate_limit_remaining": {"type": ["integer", "null"]},
                "reused_from_previous_scan": {"type": "integer", "minimum": 0},
            },
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        "findings": {"type": "array", "items": _FINDING},
    },
}
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/shopsentiment/heroku-stack/schemas/verification-report-1.json",
    "title": "heroku-stack verification report",
    "type": "object",
    "required": ["schema", "tool", "generated_at", "exit_code", "exit_meaning", "stacks"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": REPORT_SCHEMA_ID},
        "tool": {
            "type": "object",
            "required": ["name", "version"],
            "additionalProperties": False,
            "properties": {"name": {"const": "heroku-stack"}, "version": {"type": "string"}},
        },
        "generated_at": {"type": "string", "format": "date-time"},
        "exit_code": {"enum": [c.value for c in ExitCode]},
        "exit_meaning": {"type": "string"},
        "stacks": {"type": "array", "items": _STACK},
    },
}
