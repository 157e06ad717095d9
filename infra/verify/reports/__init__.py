"""Reports of one run, for people and for CI: terminal, JSON (versioned schema), JUnit XML, Markdown.

`write_reports(results, targets)` renders every requested format from the same results.
"""

from infra.verify.reports.common import ReportTarget, parse_report_target, write_reports

__all__ = ["ReportTarget", "parse_report_target", "write_reports"]
