"""Verification and drift detection: prove that Heroku runs exactly what the stack declares.

    expected_state(spec, manifest)          pure: the spec (and the deployed manifest) as expected objects
    SnapshotReader(client).app(...)         the live state of one app, through a read-only client
    compare_app(Target(...))                pure: expected vs live -> findings
    run_verification(spec, client, clock, VerifyOptions(...)) -> VerificationResult
                                            all of it, with convergence, health, attribution, waivers;
                                            `.live` is what it read (LiveStack), for callers to build on
    reports.write_reports(results, targets) terminal, JSON, JUnit and Markdown from one run
    load_manifests(paths, project=, stacks=) `--manifest` files, validated before any API call
    baseline_entries(results, terms)        one exact waiver per drift finding (`drift --write-waivers`)

Findings speak one vocabulary (`Outcome`): pass, missing, changed, unmanaged, pending,
error, waived; `VerificationResult.exit_code` maps a run onto `infra.errors.ExitCode`.
"""

from infra.verify.baseline import BaselineTerms, append_waivers, baseline_entries, baseline_terms, open_waivers_file
from infra.verify.checkids import KINDS, CheckPattern, Scope, check_id
from infra.verify.compare import compare_app
from infra.verify.converge import DEFAULT_POLICIES, WaitPolicy
from infra.verify.expected import ExpectedApp, ExpectedStack, expected_state
from infra.verify.findings import Attribution, Finding, Outcome, WaiverRef
from infra.verify.live import FetchFailed, LiveApp, LivePipeline, LiveStack
from infra.verify.manifests import load_manifests
from infra.verify.refresh import RefreshOutcome, refresh_preview
from infra.verify.result import ApiUsage, Coverage, VerificationResult, combined_exit_code, exit_code_for
from infra.verify.run import VerifyOptions, add_waiver_warnings, run_verification
from infra.verify.snapshot import ScanMemo, SnapshotReader
from infra.verify.target import Target
from infra.verify.waivers import Waiver, apply_waivers, load_waivers

__all__ = [
    "DEFAULT_POLICIES",
    "KINDS",
    "ApiUsage",
    "Attribution",
    "BaselineTerms",
    "CheckPattern",
    "Coverage",
    "ExpectedApp",
    "ExpectedStack",
    "FetchFailed",
    "Finding",
    "LiveApp",
    "LivePipeline",
    "LiveStack",
    "Outcome",
    "RefreshOutcome",
    "ScanMemo",
    "Scope",
    "SnapshotReader",
    "Target",
    "VerificationResult",
    "VerifyOptions",
    "WaitPolicy",
    "Waiver",
    "WaiverRef",
    "add_waiver_warnings",
    "append_waivers",
    "apply_waivers",
    "baseline_entries",
    "baseline_terms",
    "check_id",
    "combined_exit_code",
    "compare_app",
    "exit_code_for",
    "expected_state",
    "load_manifests",
    "load_waivers",
    "open_waivers_file",
    "refresh_preview",
    "run_verification",
]
