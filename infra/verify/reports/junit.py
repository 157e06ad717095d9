"""JUnit XML: one testcase per check, the full finding text in every failure, one suite per stack and app.

Mapping: missing/changed/unmanaged/pending -> <failure type="outcome">; error -> <error>;
waived -> <skipped> with the waiver; pass -> an empty testcase. Built with ElementTree, so
the document is well-formed whatever the text holds.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from infra.verify.findings import Finding, Outcome
from infra.verify.reports.common import finding_lines, run_title
from infra.verify.result import VerificationResult


def render(results: Sequence[VerificationResult]) -> str:
    root = ET.Element("testsuites", name=run_title(results))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    time = 0.0
    for result in results:
        ordered = sorted(result.findings, key=lambda f: (f.app, f.check_id))
        for app, group in groupby(ordered, key=lambda f: f.app):
            suite = _suite(result, app or "stack", list(group))
            root.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
        time += result.duration_seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{time:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(result: VerificationResult, app: str, findings: list[Finding]) -> ET.Element:
    suite = ET.Element("testsuite", name=f"{result.project}/{result.stack}/{app}")
    counts = {"tests": len(findings), "failures": 0, "errors": 0, "skipped": 0}
    suite.set("timestamp", result.started_at.isoformat())
    for finding in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            name=finding.check_id,
            classname=f"{result.stack}.{finding.app or 'stack'}.{finding.kind}",
            time=f"{finding.duration_seconds:.3f}",
        )
        text = "\n".join(finding_lines(finding))
        if finding.outcome is Outcome.ERROR:
            counts["errors"] += 1
            ET.SubElement(case, "error", message=finding.summary, type="error").text = text
        elif finding.outcome is Outcome.WAIVED:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=f"waived: {finding.summary}").text = text
        elif finding.outcome is not Outcome.PASS:
            counts["failures"] += 1
            ET.SubElement(case, "failure", message=finding.summary, type=finding.outcome.value).text = text
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{result.duration_seconds:.3f}")
    return suite
