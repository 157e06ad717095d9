"""The JSON report's schema (JSON Schema draft 2020-12), generated from the report's models.

Published by `heroku-stack verify --json-schema`; versioned with the document's `schema` field
(`document.REPORT_SCHEMA_ID`). The shape is `document.ReportDoc`'s: change the model, and
`tests/verify/test_report_schema.py` says whether the published `@1` shape still holds.
"""

from __future__ import annotations

from typing import Any

from infra.verify.reports.document import REPORT_SCHEMA_ID, ReportDoc

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/shopsentiment/heroku-stack/schemas/verification-report-1.json",
    **ReportDoc.model_json_schema(by_alias=True, mode="serialization"),
}

__all__ = ["REPORT_SCHEMA", "REPORT_SCHEMA_ID"]
