"""Drift explained from the release log: who, when, or why the log cannot say."""

from __future__ import annotations

from infra.verify.attribution import explain
from infra.verify.findings import Attribution, Finding, Outcome
from infra.verify.live import FetchFailed, LiveApp, LiveAppInfo, LiveRelease

INFO = LiveAppInfo(id="a", name="shop", region="us", stack="heroku-24", acm=False, web_url=None)


def release(version: int, description: str, user: str = "bob@example.com") -> LiveRelease:
    return LiveRelease(
        id=f"r{version}",
        version=version,
        status="succeeded",
        current=False,
        description=description,
        user=user,
        created_at=f"2026-01-0{version}T10:00:00Z",
    )


def finding(check: str, outcome: Outcome = Outcome.CHANGED) -> Finding:
    return Finding(check_id=check, app="web", kind=check.split("/")[1], outcome=outcome, summary="s")


def app_with(*releases: LiveRelease) -> LiveApp:
    return LiveApp(key="web", name="shop", info=INFO, releases=tuple(releases))


def test_a_config_change_is_attributed_to_the_newest_release_naming_the_var() -> None:
    live = app_with(
        release(5, "Deploy abc123"),
        release(4, "Set LOG_LEVEL, FOO config vars", "alice@example.com"),
        release(3, "Set LOG_LEVEL config vars"),
    )

    assert explain(finding("web/config/LOG_LEVEL"), live) == Attribution(
        note="v4 by alice@example.com at 2026-01-04T10:00:00Z: Set LOG_LEVEL, FOO config vars",
        version=4,
        user="alice@example.com",
        description="Set LOG_LEVEL, FOO config vars",
        created_at="2026-01-04T10:00:00Z",
    )


def test_a_var_name_inside_a_longer_name_does_not_count() -> None:
    live = app_with(release(2, "Set LOG_LEVEL_X config vars"))

    assert explain(finding("web/config/LOG_LEVEL"), live).note == (
        "none of the latest 1 releases names LOG_LEVEL: the change is older than them"
    )


def test_a_newer_rollback_is_the_probable_cause_of_config_drift() -> None:
    live = app_with(release(6, "Rollback to v3"), release(4, "Set LOG_LEVEL config vars"))

    assert explain(finding("web/config/LOG_LEVEL"), live).note == (
        "probably v6 by bob@example.com at 2026-01-06T10:00:00Z: Rollback to v3"
    )


def test_formation_changes_say_plainly_that_heroku_records_no_release() -> None:
    assert explain(finding("web/formation/web/quantity"), app_with()).note == (
        "Heroku's release log cannot say who did this or when: scaling and resizing make no release on Heroku"
    )


def test_an_unreadable_release_log_is_said_so() -> None:
    live = LiveApp(key="web", name="shop", info=INFO, releases=FetchFailed("GET x -> 503"))

    assert explain(finding("web/config/FOO", Outcome.UNMANAGED), live).note == (
        "the release log could not be read: GET x -> 503"
    )
