"""Comparison, pure: expected and live state in, exactly these findings out."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from infra.spec import load_stack
from infra.spec.models import StackSpec
from infra.verify.compare import compare_app
from infra.verify.expected import expected_state
from infra.verify.findings import Finding, Outcome
from infra.verify.live import FetchFailed, LiveApp, LivePipeline
from infra.verify.target import Target
from tests.fixtures.verify import live_from_raw, raw_collections, rows, with_secret_values

SECRETS = {"SECRET_KEY": "k" * 40, "MONGODB_URI": "mongodb+srv://shop:pw@cluster0.example.net/shop"}


@pytest.fixture
def spec(project_dir: Path) -> StackSpec:
    return with_secret_values(load_stack("staging", project_dir), SECRETS)


@pytest.fixture
def raw(spec: StackSpec) -> dict[str, Any]:
    return raw_collections(spec, SECRETS)


def compare(spec: StackSpec, raw: dict[str, Any], *, fingerprints: bool = True) -> list[Finding]:
    expected = expected_state(spec if fingerprints else load_stack("staging", Path.cwd()))
    live = live_from_raw(spec, raw)
    return compare_app(Target("shopsentiment", "staging", expected.apps["web"], live, LivePipeline("x", "p-1")))


def by_id(findings: list[Finding], check: str) -> Finding:
    return next(f for f in findings if f.check_id == check)


def test_a_freshly_deployed_app_passes_every_declared_check_plus_platform_managed_vars(
    spec: StackSpec, raw: dict[str, Any]
) -> None:
    findings = compare(spec, raw)

    declared = expected_state(spec).apps["web"].declared_checks()
    assert rows(findings) == []
    assert sorted(f.check_id for f in findings) == sorted(
        [*(c for c in declared if c != "web/health"), "web/config/NEW_RELIC_LOG"]
    )
    assert by_id(findings, "web/config/NEW_RELIC_LOG").platform_managed == "add-on shopsentiment-staging-newrelic"


def test_a_changed_plain_var_shows_both_values(spec: StackSpec, raw: dict[str, Any]) -> None:
    raw["config"]["LOG_LEVEL"] = "INFO"

    finding = by_id(compare(spec, raw), "web/config/LOG_LEVEL")

    assert (finding.outcome, finding.summary, finding.expected, finding.actual) == (
        Outcome.CHANGED,
        "LOG_LEVEL is INFO, expected DEBUG",
        "DEBUG",
        "INFO",
    )


def test_a_rotated_secret_is_changed_by_fingerprint_and_shows_no_value(spec: StackSpec, raw: dict[str, Any]) -> None:
    raw["config"]["SECRET_KEY"] = "rotated-by-hand"

    finding = by_id(compare(spec, raw), "web/config/SECRET_KEY")

    assert (finding.outcome, finding.expected, finding.actual, finding.sensitive) == (
        Outcome.CHANGED,
        "(secret)",
        "(secret: different fingerprint)",
        True,
    )
    assert "rotated-by-hand" not in repr(finding)


def test_without_fingerprints_a_rotated_secret_still_passes_by_presence(project_dir: Path, raw: dict[str, Any]) -> None:
    spec = load_stack("staging", project_dir)
    raw["config"]["SECRET_KEY"] = "rotated-by-hand"

    finding = by_id(
        compare_app(Target("p", "staging", expected_state(spec).apps["web"], live_from_raw(spec, raw))),
        "web/config/SECRET_KEY",
    )

    assert (finding.outcome, finding.summary) == (
        Outcome.PASS,
        "secret SECRET_KEY is set (value not compared: without --manifest only presence is checked)",
    )


def test_addon_vars_are_platform_managed_and_a_hand_added_var_is_unmanaged(
    spec: StackSpec, raw: dict[str, Any]
) -> None:
    raw["config"]["FOO"] = "bar"
    raw["config"]["REDIS_TLS_URL"] = "rediss://h:pw@example.com"

    findings = compare(spec, raw)

    assert rows(findings) == [("web/config/FOO", "unmanaged")]
    tls = by_id(findings, "web/config/REDIS_TLS_URL")
    assert (tls.outcome, tls.platform_managed) == (
        Outcome.PASS,
        "add-on shopsentiment-staging-redis (attachment REDIS)",
    )
    assert by_id(findings, "web/config/REDIS_URL").platform_managed == "add-on shopsentiment-staging-redis"


def test_an_unreadable_collection_gives_errors_never_drift(spec: StackSpec, raw: dict[str, Any]) -> None:
    live = live_from_raw(spec, raw)
    broken = LiveApp(**{**live.__dict__, "formation": FetchFailed("GET /apps/x/formation -> 503 boom")})

    findings = compare_app(Target("p", "staging", expected_state(spec).apps["web"], broken, LivePipeline("x", "p-1")))

    assert rows(findings) == [("web/formation/web/quantity", "error"), ("web/formation/web/size", "error")]
    assert by_id(findings, "web/formation/web/size").summary == "could not check: GET /apps/x/formation -> 503 boom"


def test_a_missing_app_is_one_finding(spec: StackSpec) -> None:
    gone = LiveApp(key="web", name="shopsentiment-staging", info=None)

    findings = compare_app(Target("p", "staging", expected_state(spec).apps["web"], gone))

    assert [(f.check_id, f.outcome, f.summary) for f in findings] == [
        (
            "web/app",
            Outcome.MISSING,
            "app shopsentiment-staging does not exist on Heroku, so its 35 other checks cannot run",
        ),
    ]


def test_an_idle_process_type_is_not_unmanaged_but_a_running_one_is(spec: StackSpec, raw: dict[str, Any]) -> None:
    raw["formation"] += [
        {"id": "f-release", "type": "release", "quantity": 0, "size": "Basic"},
        {"id": "f-worker", "type": "worker", "quantity": 1, "size": "Basic"},
    ]

    assert rows(compare(spec, raw)) == [("web/formation/worker", "unmanaged")]


def test_an_addon_drain_is_platform_managed_and_a_hand_added_drain_is_unmanaged_without_its_token(
    spec: StackSpec, raw: dict[str, Any]
) -> None:
    raw["drains"] = [
        {
            "id": "dr-1",
            "url": "syslog+tls://logs5.papertrailapp.com:12345",
            "token": "d.1",
            "addon": {"name": "shopsentiment-staging-papertrail"},
        },
        {"id": "dr-2", "url": "https://user:tok3n@logs.example.com/in/tok3n", "token": "d.2", "addon": None},
    ]

    findings = compare(spec, raw)

    drains = [(f.check_id, f.outcome.value, f.actual, f.platform_managed) for f in findings if f.kind == "drain"]
    assert drains == [
        (
            "web/drain/logs5.papertrailapp.com:12345",
            "pass",
            "syslog+tls://logs5.papertrailapp.com:12345",
            "add-on shopsentiment-staging-papertrail",
        ),
        ("web/drain/logs.example.com", "unmanaged", "https://logs.example.com/...", None),
    ]
    assert "tok3n" not in repr(findings)
    # Adopted, it would be the stack's first declared drain: the add-on's own drain takes no index.
    adopt = next(f for f in findings if f.check_id == "web/drain/logs.example.com").remedy[0]
    assert " web-drain-0 shopsentiment-staging:dr-2 " in adopt


def test_a_provisioning_addon_and_its_var_are_pending(spec: StackSpec, raw: dict[str, Any]) -> None:
    raw["addons"][0]["state"] = "provisioning"
    del raw["config"]["REDIS_URL"]

    assert rows(compare(spec, raw)) == [
        ("web/config/REDIS_URL", "pending"),
        ("web/addon/shopsentiment-staging-redis/state", "pending"),
    ]


def test_buildpacks_compare_in_order(spec: StackSpec, raw: dict[str, Any]) -> None:
    raw["buildpacks"] = [{"ordinal": 0, "buildpack": {"name": "heroku/nodejs"}}, *copy.deepcopy(raw["buildpacks"])]
    raw["buildpacks"][1]["ordinal"] = 1

    finding = by_id(compare(spec, raw), "web/buildpacks")

    assert (finding.outcome, finding.summary) == (
        Outcome.CHANGED,
        "buildpacks are heroku/nodejs, heroku/python, expected heroku/python (extra heroku/nodejs)",
    )


def test_a_coupling_at_another_stage_is_changed(spec: StackSpec, raw: dict[str, Any]) -> None:
    raw["coupling"][0]["stage"] = "production"

    finding = by_id(compare(spec, raw), "web/pipeline")

    assert (finding.outcome, finding.summary) == (
        Outcome.CHANGED,
        "shopsentiment-staging is at stage production of shopsentiment, expected staging",
    )
