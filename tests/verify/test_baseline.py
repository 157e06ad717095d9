"""Waiver baselines: reviewable terms, one exact waiver per drift finding, appended without losing a line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from infra.errors import WaiverFileError
from infra.verify.baseline import (
    BaselineTerms,
    Entry,
    append_waivers,
    baseline_entries,
    baseline_terms,
    open_waivers_file,
    with_waivers,
)
from infra.verify.findings import Finding, Outcome
from infra.verify.result import VerificationResult
from infra.verify.waivers import Waiver, apply_waivers, load_waivers

TODAY = date(2026, 1, 15)
TERMS = BaselineTerms(owner="alice@example.com", reason="hand-made changes from the outage", expires=date(2026, 2, 28))
EXISTING = (
    "# reviewed in PR 42\n"
    "waivers:\n"
    "- check: web/config/FEATURE_*   # experiment flags\n"
    "  reason: growth team's experiment flags\n"
    "  owner: bob@example.com\n"
    "  expires: 2026-03-31\n"
)


def finding(check: str, outcome: Outcome, kind: str | None = None) -> Finding:
    return Finding(check_id=check, app="web", kind=kind or check.split("/")[1], outcome=outcome, summary="s")


def result(stack: str, *findings: Finding) -> VerificationResult:
    return VerificationResult("shop", stack, stack, datetime(2026, 1, 15, tzinfo=UTC), 1.0, findings)


def accepted(check: str, stack: str = "staging") -> Waiver:
    return Waiver(
        check=check,
        stack=stack,
        exact=True,
        reason=TERMS.reason,
        owner=TERMS.owner,
        expires=TERMS.expires,
    )


def test_terms_name_every_flag_that_is_not_reviewable() -> None:
    with pytest.raises(WaiverFileError) as caught:
        baseline_terms("alice", "because", "31/03/2026", today=TODAY)

    assert str(caught.value) == (
        "--write-waivers needs reviewable terms:\n"
        "  - --owner: the email address of who answers for these waivers (got 'alice')\n"
        "  - --reason: why this drift is acceptable, for the reviewer (at least 10 characters)\n"
        "  - --expires: the last day the waivers apply, as YYYY-MM-DD (got '31/03/2026')"
    )


@pytest.mark.parametrize("expires", ["2026-01-15", "2027-01-16"])
def test_an_expiry_must_be_after_today_and_within_a_year(expires: str) -> None:
    with pytest.raises(WaiverFileError) as caught:
        baseline_terms("alice@example.com", "hand-made changes", expires, today=TODAY)

    assert str(caught.value) == (
        "--write-waivers needs reviewable terms:\n"
        f"  - --expires: {expires} must be after today (2026-01-15) and at most 365 days ahead (2027-01-15)"
    )


def test_terms_keep_the_owner_and_one_line_reason() -> None:
    terms = baseline_terms(" alice@example.com ", "hand-made\n  changes", "2027-01-15", today=TODAY)

    assert terms == BaselineTerms("alice@example.com", "hand-made changes", date(2027, 1, 15))


def test_every_drift_finding_of_a_check_gets_one_exact_waiver_for_its_stack() -> None:
    staging = result(
        "staging",
        finding("web/config/LOG_LEVEL", Outcome.CHANGED),
        finding("web/config/DEBUG", Outcome.UNMANAGED),
        finding("web/addon/redis", Outcome.MISSING),
        finding("web/release", Outcome.PENDING),
        finding("web/health", Outcome.ERROR),
        finding("web/config/FEATURE_X", Outcome.WAIVED),
        finding("web/app", Outcome.PASS),
        finding("pulumi/refresh", Outcome.CHANGED, kind="refresh"),
    )
    production = result("production", finding("web/config/LOG_LEVEL", Outcome.CHANGED))

    entries = baseline_entries([staging, production], TERMS)

    assert [e.waiver for e in entries] == [
        accepted("web/config/LOG_LEVEL"),
        accepted("web/config/DEBUG"),
        accepted("web/addon/redis"),
        accepted("web/config/LOG_LEVEL", stack="production"),
    ]


def test_an_exact_waiver_covers_its_own_check_and_nothing_beneath_it() -> None:
    findings = [finding("web/addon/redis", Outcome.UNMANAGED), finding("web/addon/redis/plan", Outcome.CHANGED)]

    waived = apply_waivers(findings, [accepted("web/addon/redis")], stack="staging", today=TODAY)

    assert [(f.check_id, f.outcome) for f in waived] == [
        ("web/addon/redis", Outcome.WAIVED),
        ("web/addon/redis/plan", Outcome.CHANGED),
    ]


def test_a_new_file_holds_a_header_and_each_entry_with_its_finding(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    drift = Finding(
        check_id="web/domain/*.shop.example.com",
        app="web",
        kind="domain",
        outcome=Outcome.UNMANAGED,
        summary="domain *.shop.example.com is added on Heroku\nbut declared nowhere",
    )

    append_waivers(open_waivers_file(path, today=TODAY), [Entry(accepted(drift.check_id), drift)], today=TODAY)

    assert path.read_text() == (
        "waivers:\n"
        "  # Baseline 2026-01-15: 1 drift finding accepted as found\n"
        "  # unmanaged: domain *.shop.example.com is added on Heroku but declared nowhere\n"
        '  - check: "web/domain/*.shop.example.com"\n'
        '    stack: "staging"\n'
        "    exact: true\n"
        '    reason: "hand-made changes from the outage"\n'
        '    owner: "alice@example.com"\n'
        "    expires: 2026-02-28\n"
    )
    assert load_waivers(path) == (accepted("web/domain/*.shop.example.com"),)


def test_an_existing_file_keeps_every_line_and_gains_entries_at_its_own_indentation(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(EXISTING)
    before = load_waivers(path)
    entry = Entry(accepted("web/config/DEBUG"), finding("web/config/DEBUG", Outcome.UNMANAGED))

    append_waivers(open_waivers_file(path, today=TODAY), [entry], today=TODAY)

    text = path.read_text()
    assert text.startswith(EXISTING)
    assert text[len(EXISTING) :].splitlines()[:3] == [
        "# Baseline 2026-01-15: 1 drift finding accepted as found",
        "# unmanaged: s",
        '- check: "web/config/DEBUG"',
    ]
    assert load_waivers(path) == (*before, accepted("web/config/DEBUG"))


def test_a_file_whose_list_cannot_grow_is_refused_before_the_run(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers: []\n")

    with pytest.raises(WaiverFileError) as caught:
        open_waivers_file(path, today=TODAY)

    assert str(caught.value) == (
        f"--write-waivers {path}: new entries cannot be appended to it (its `waivers:` list must be the last thing "
        "in the file, one `- check:` item per waiver); write the baseline to a new file"
    )
    assert path.read_text() == "waivers: []\n"


def test_a_file_changed_during_the_run_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(EXISTING)
    opened = open_waivers_file(path, today=TODAY)
    path.write_text(EXISTING + "# edited meanwhile\n")
    entry = Entry(accepted("web/config/DEBUG"), finding("web/config/DEBUG", Outcome.UNMANAGED))

    with pytest.raises(WaiverFileError) as caught:
        append_waivers(opened, [entry], today=TODAY)

    assert str(caught.value) == f"{path} changed while drift ran; nothing was written, run it again"
    assert (path.read_text(), sorted(p.name for p in tmp_path.iterdir())) == (
        EXISTING + "# edited meanwhile\n",
        ["waivers.yaml"],
    )


def test_no_drift_writes_no_file(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"

    append_waivers(open_waivers_file(path, today=TODAY), [], today=TODAY)

    assert not path.exists()


def test_results_with_the_baseline_in_force_report_its_drift_waived() -> None:
    drifted = result("staging", finding("web/config/DEBUG", Outcome.UNMANAGED), finding("web/app", Outcome.PASS))

    (now,) = with_waivers([drifted], [accepted("web/config/DEBUG")], today=TODAY)

    assert [(f.check_id, f.outcome) for f in now.findings] == [
        ("web/config/DEBUG", Outcome.WAIVED),
        ("web/app", Outcome.PASS),
    ]
