"""Waivers: reviewed, expiring, and validated before any API call."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infra.errors import WaiverFileError
from infra.verify.findings import Finding, Outcome, WaiverRef
from infra.verify.waivers import Waiver, apply_waivers, load_waivers, waiver_warnings

TODAY = date(2026, 1, 15)


def finding(check: str, outcome: Outcome = Outcome.UNMANAGED) -> Finding:
    return Finding(check_id=check, app="web", kind=check.split("/")[1], outcome=outcome, summary="s")


def waiver(check: str, expires: date = date(2026, 3, 31), stack: str | None = None) -> Waiver:
    return Waiver(
        check=check, stack=stack, reason="growth team's experiment", owner="alice@example.com", expires=expires
    )


def test_a_waivers_file_is_read_with_every_field(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "# reviewed in PR 42\n"
        "waivers:\n"
        "  - check: web/config/FEATURE_*   # experiment flags\n"
        "    stack: production\n"
        "    reason: growth team's experiment flags\n"
        "    owner: alice@example.com\n"
        "    expires: 2026-03-31\n"
    )

    assert load_waivers(path) == (
        Waiver(
            check="web/config/FEATURE_*",
            stack="production",
            reason="growth team's experiment flags",
            owner="alice@example.com",
            expires=date(2026, 3, 31),
        ),
    )


def test_a_malformed_waivers_file_names_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - check: '*'\n    reason: short\n    expires: someday\n    color: red\n")

    with pytest.raises(WaiverFileError) as err:
        load_waivers(path)

    assert str(err.value) == (
        "waivers.yaml: 5 problems (each waiver takes check, stack (optional), exact (optional), reason, owner, "
        "expires (YYYY-MM-DD))\n"
        "  - waivers[0].check: '*' matches every check; a waiver must name what it waives (e.g. web/config/FOO)\n"
        "  - waivers[0].reason: String should have at least 10 characters\n"
        "  - waivers[0].owner: Field required\n"
        "  - waivers[0].expires: Input should be a valid date or datetime, input is too short\n"
        "  - waivers[0].color: Extra inputs are not permitted"
    )


def test_invalid_yaml_in_a_waivers_file_is_a_waiver_file_error(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers: [\n")

    with pytest.raises(WaiverFileError) as err:
        load_waivers(path)

    assert str(err.value).startswith("waivers.yaml: line 2, column 1: invalid YAML:")


def test_an_active_waiver_turns_drift_into_waived_and_leaves_errors_alone() -> None:
    findings = [finding("web/config/FOO"), finding("web/config/FOO", Outcome.ERROR), finding("web/config/BAR")]

    waived = apply_waivers(findings, [waiver("web/config/FOO")], stack="staging", today=TODAY)

    assert [(f.check_id, f.outcome, f.waived_from) for f in waived] == [
        ("web/config/FOO", Outcome.WAIVED, Outcome.UNMANAGED),
        ("web/config/FOO", Outcome.ERROR, None),
        ("web/config/BAR", Outcome.UNMANAGED, None),
    ]


def test_an_expired_waiver_waives_nothing_and_is_noted_on_the_finding() -> None:
    expired = waiver("web/config/FOO", expires=date(2026, 1, 14))

    (result,) = apply_waivers([finding("web/config/FOO")], [expired], stack="staging", today=TODAY)

    assert (result.outcome, result.waiver) == (
        Outcome.UNMANAGED,
        WaiverRef("web/config/FOO", "growth team's experiment", "alice@example.com", "2026-01-14", expired=True),
    )


def test_a_waiver_is_valid_through_its_expiry_date() -> None:
    (result,) = apply_waivers(
        [finding("web/config/FOO")], [waiver("web/config/FOO", expires=TODAY)], stack="staging", today=TODAY
    )

    assert result.outcome is Outcome.WAIVED


def test_a_waiver_for_another_stack_does_not_apply() -> None:
    (result,) = apply_waivers(
        [finding("web/config/FOO")], [waiver("web/config/FOO", stack="production")], stack="staging", today=TODAY
    )

    assert result.outcome is Outcome.UNMANAGED


def test_unused_and_expired_waivers_are_warned_about() -> None:
    waivers = [
        waiver("web/config/FOO"),
        waiver("web/config/GONE"),
        waiver("web/config/OLD", expires=date(2025, 12, 31)),
        waiver("web/config/FIXED"),
    ]
    findings = apply_waivers(
        [finding("web/config/FOO"), finding("web/config/OLD"), finding("web/config/FIXED", Outcome.PASS)],
        waivers,
        stack="staging",
        today=TODAY,
    )

    assert waiver_warnings(waivers, [("staging", findings)], today=TODAY, scoped=False) == [
        "waiver 2 (`web/config/GONE`, owner alice@example.com) is unused: it matches no check in this run, "
        "so delete or fix it",
        "waiver 3 (`web/config/OLD`, owner alice@example.com) expired on 2025-12-31: its drift fails again",
        "waiver 4 (`web/config/FIXED`, owner alice@example.com) is unused: the checks it matches pass now, "
        "so delete it",
    ]
