"""Exit codes from findings: one definition, and a run that checked nothing is an error."""

from __future__ import annotations

import pytest

from infra.errors import ExitCode
from infra.verify.findings import Finding, Outcome
from infra.verify.result import Coverage, coverage, exit_code_for


def f(outcome: Outcome, check: str = "web/config/X", **extra: object) -> Finding:
    return Finding(check_id=check, app="web", kind=check.split("/")[1], outcome=outcome, summary="s", **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ((), ExitCode.ERROR),
        ((Outcome.PASS,), ExitCode.OK),
        ((Outcome.PASS, Outcome.WAIVED), ExitCode.OK),
        ((Outcome.PASS, Outcome.PENDING), ExitCode.PENDING),
        ((Outcome.PENDING, Outcome.UNMANAGED), ExitCode.DRIFT),
        ((Outcome.MISSING,), ExitCode.DRIFT),
        ((Outcome.CHANGED, Outcome.PENDING), ExitCode.DRIFT),
        ((Outcome.CHANGED, Outcome.ERROR), ExitCode.ERROR),
        ((Outcome.PASS, Outcome.ERROR), ExitCode.ERROR),
    ],
)
def test_the_exit_code_of_a_mix_of_outcomes(outcomes: tuple[Outcome, ...], code: ExitCode) -> None:
    assert exit_code_for([f(o) for o in outcomes]) is code


def test_coverage_counts_declared_live_objects_and_leaves_platform_managed_out() -> None:
    findings = [
        f(Outcome.PASS, "web/domain/a.example.com"),
        f(Outcome.PASS, "web/domain/a.example.com/acm"),
        f(Outcome.PASS, "web/domain/b.example.com"),
        f(Outcome.CHANGED, "web/domain/c.example.com"),
        f(Outcome.UNMANAGED, "web/domain/d.example.com"),
        f(Outcome.MISSING, "web/domain/e.example.com"),
        f(Outcome.PASS, "web/config/REDIS_URL", platform_managed="add-on r"),
        f(Outcome.WAIVED, "web/config/FOO", waived_from=Outcome.UNMANAGED),
        f(Outcome.PASS, "web/config/LOG_LEVEL"),
    ]

    assert coverage(findings) == [Coverage("config", 1, 2), Coverage("domain", 3, 4)]
    assert coverage(findings)[1].percent == 75.0
