"""Reports from one run: JSON against its published schema, well-formed JUnit, Markdown, terminal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from infra.verify.findings import Attribution, Finding, Outcome, WaiverRef
from infra.verify.reports import (
    ReportTarget,
    json_report,
    junit,
    markdown,
    parse_report_target,
    terminal,
    write_reports,
)
from infra.verify.reports.schema import REPORT_SCHEMA
from infra.verify.result import ApiUsage, VerificationResult

WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _f(check: str, outcome: Outcome, summary: str, **extra: object) -> Finding:
    return Finding(check_id=check, app="web", kind=check.split("/")[1], outcome=outcome, summary=summary, **extra)  # type: ignore[arg-type]


FINDINGS = (
    _f(
        "web/config/LOG_LEVEL",
        Outcome.CHANGED,
        "LOG_LEVEL is INFO, expected DEBUG",
        expected="DEBUG",
        actual="INFO",
        attribution=Attribution(
            "v4 by alice@example.com at 2026-01-04T10:00:00Z: Set LOG_LEVEL config vars",
            4,
            "alice@example.com",
            "Set LOG_LEVEL config vars",
            "2026-01-04T10:00:00Z",
        ),
        remedy=("run `pulumi up --stack staging` to restore what the stack declares",),
    ),
    _f("web/health", Outcome.ERROR, "GET https://x/health: no answer within 5s", attempts=3, duration_seconds=12.5),
    _f("web/addon/r/state", Outcome.PENDING, "still provisioning"),
    _f(
        "web/config/FOO",
        Outcome.WAIVED,
        "FOO is set on Heroku but declared nowhere in Pulumi.staging.yaml",
        waived_from=Outcome.UNMANAGED,
        sensitive=True,
        waiver=WaiverRef("web/config/FOO", "experiment | flag", "bob@example.com", "2026-03-31"),
    ),
    _f("web/config/APP_ENV", Outcome.PASS, "APP_ENV is staging", expected="staging", actual="staging"),
)
RESULT = VerificationResult(
    project="shopsentiment",
    stack="staging",
    stage="staging",
    started_at=WHEN,
    duration_seconds=1.25,
    findings=FINDINGS,
    warnings=("waiver 2 (`web/config/GONE`, owner a) is unused",),
    api=ApiUsage(requests=11, not_modified=2, rate_limit_remaining=4400),
    secrets_checked_by="fingerprint",
)


def test_the_json_report_validates_against_the_published_schema() -> None:
    document = json.loads(json_report.render([RESULT]))

    jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    assert (document["schema"], document["exit_code"], document["stacks"][0]["counts"]) == (
        "heroku-stack/verification-report@1",
        2,
        {"pass": 1, "missing": 0, "changed": 1, "unmanaged": 0, "pending": 1, "error": 1, "waived": 1},
    )


def test_the_schema_itself_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)


def test_junit_has_a_testcase_per_check_and_the_full_text_in_every_failure() -> None:
    root = ET.fromstring(junit.render([RESULT]))  # noqa: S314 - our own report, not untrusted input

    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "web/addon/r/state",
        "web/config/APP_ENV",
        "web/config/FOO",
        "web/config/LOG_LEVEL",
        "web/health",
    ]
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5",
        "failures": "2",
        "errors": "1",
        "skipped": "1",
    }
    failure = root.find("./testsuite/testcase[@name='web/config/LOG_LEVEL']/failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message"), failure.text) == (
        "changed",
        "LOG_LEVEL is INFO, expected DEBUG",
        "LOG_LEVEL is INFO, expected DEBUG\n"
        "expected: DEBUG; actual: INFO\n"
        "who/when: v4 by alice@example.com at 2026-01-04T10:00:00Z: Set LOG_LEVEL config vars\n"
        "fix: run `pulumi up --stack staging` to restore what the stack declares\n"
        "     or waive `web/config/LOG_LEVEL` in the waivers file, with a reason, an owner and an expiry date",
    )
    for bad in root.iter():
        if bad.tag in ("failure", "error"):
            assert bad.text


def test_markdown_lists_what_needs_attention_in_a_table_and_folds_the_passes() -> None:
    text = markdown.render([RESULT])

    assert text.splitlines()[:3] == [
        "## heroku-stack verification of shopsentiment/staging",
        "",
        "**ERROR** (exit 2): error: bad input, an API failure, or zero checks ran",
    ]
    assert (
        "| :zzz: | `web/config/FOO` | **waived**: FOO is set on Heroku but declared nowhere in Pulumi.staging.yaml"
        " |  | waiver (bob@example.com, until 2026-03-31): experiment \\| flag |" in text
    )
    assert "<details><summary>1 passing checks</summary>" in text


def test_the_terminal_puts_failures_first_and_hides_passes_unless_verbose() -> None:
    assert terminal.render([RESULT]).splitlines() == [
        "heroku-stack verification of shopsentiment/staging",
        "",
        "== shopsentiment/staging (stage staging): 5 checks in 1.25s, 11 API requests, 2 not modified",
        "   1 pass, 1 changed, 1 pending, 1 error, 1 waived; secrets compared by fingerprint",
        "error     web/health: GET https://x/health: no answer within 5s",
        "            attempts: 3 over 12.5s",
        "changed   web/config/LOG_LEVEL: LOG_LEVEL is INFO, expected DEBUG",
        "            expected: DEBUG; actual: INFO",
        "            who/when: v4 by alice@example.com at 2026-01-04T10:00:00Z: Set LOG_LEVEL config vars",
        "            fix: run `pulumi up --stack staging` to restore what the stack declares",
        "                 or waive `web/config/LOG_LEVEL` in the waivers file, with a reason, an owner and an expiry "
        "date",
        "pending   web/addon/r/state: still provisioning",
        "waived    web/config/FOO: FOO is set on Heroku but declared nowhere in Pulumi.staging.yaml",
        "            waiver `web/config/FOO` (bob@example.com, until 2026-03-31): experiment | flag",
        "(1 passing checks hidden; -v lists them)",
        "coverage (declared/live): config 2/3",
        "warning: waiver 2 (`web/config/GONE`, owner a) is unused",
        "",
        "result: ERROR (exit 2): error: bad input, an API failure, or zero checks ran",
    ]
    assert "pass      web/config/APP_ENV: APP_ENV is staging" in terminal.render([RESULT], verbose=True)


def test_several_reports_are_written_from_one_run(tmp_path: Path) -> None:
    targets = [
        parse_report_target(f"{fmt}={tmp_path / name}")
        for fmt, name in (("json", "out.json"), ("junit", "out.xml"), ("md", "nested/summary.md"))
    ]

    write_reports([RESULT], targets)

    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.*")) == [
        "nested/summary.md",
        "out.json",
        "out.xml",
    ]


@pytest.mark.parametrize("text", ["json", "xml=out.xml", "json="])
def test_a_report_target_needs_a_known_format_and_a_path(text: str) -> None:
    with pytest.raises(ValueError, match="expected FORMAT=PATH with FORMAT one of json, junit, md"):
        parse_report_target(text)


def test_markdown_is_accepted_as_a_format_name() -> None:
    assert parse_report_target("markdown=summary.md") == ReportTarget("md", "summary.md")


def test_waiving_is_a_sentence_of_its_own_when_it_is_the_only_fix_and_an_alternative_otherwise() -> None:
    from infra.verify.reports.common import finding_lines

    alone = finding_lines(_f("web/health", Outcome.CHANGED, "answered 503"))
    beside = finding_lines(_f("web/config/X", Outcome.CHANGED, "X is 2", remedy=("run `pulumi up`",)))

    assert alone[-1] == ("fix: Waive `web/health` in the waivers file, with a reason, an owner and an expiry date")
    assert beside[-2:] == [
        "fix: run `pulumi up`",
        "     or waive `web/config/X` in the waivers file, with a reason, an owner and an expiry date",
    ]
