"""Check ids and globs: what `--check` and waivers select."""

from __future__ import annotations

import pytest

from infra.verify.checkids import CheckPattern, PatternError, Scope


@pytest.mark.parametrize(
    ("pattern", "check", "matches"),
    [
        ("web/config/LOG_LEVEL", "web/config/LOG_LEVEL", True),
        ("web/config/LOG", "web/config/LOG_LEVEL", False),
        ("web/config/LOG*", "web/config/LOG_LEVEL", True),
        ("web/config", "web/config/LOG_LEVEL", True),
        ("web/addon/redis", "web/addon/redis/plan", True),
        ("*/config/LOG_LEVEL", "api/config/LOG_LEVEL", True),
        ("web/*", "web/addon/redis/plan", True),
        ("web/*/redis", "web/addon/redis/plan", True),
        ("web/*/plan", "web/addon/redis/plan", False),
        ("web/**/plan", "web/addon/redis/plan", True),
        ("**/plan", "web/addon/redis/plan", True),
        ("web/config/LOG_LEVEL/x", "web/config/LOG_LEVEL", False),
        ("api", "web/config/LOG_LEVEL", False),
    ],
)
def test_a_pattern_matches_its_check_ids_and_everything_beneath(pattern: str, check: str, matches: bool) -> None:
    assert CheckPattern(pattern).matches(check) is matches


@pytest.mark.parametrize("text", ["", "  ", "web//config", "/web"])
def test_an_empty_pattern_or_segment_is_refused(text: str) -> None:
    with pytest.raises(PatternError):
        CheckPattern(text)


@pytest.mark.parametrize(("text", "wildcard"), [("*", True), ("**", True), ("*/*", True), ("*/config", False)])
def test_a_pattern_of_wildcards_alone_is_recognised(text: str, wildcard: bool) -> None:
    assert CheckPattern(text).is_wildcard_only is wildcard


def test_scope_by_check_names_only_the_kinds_it_can_reach() -> None:
    scope = Scope.of(checks=["web/formation/*", "web/config/LOG_LEVEL"])

    assert sorted(scope.kinds("web")) == ["config", "formation"]
    assert scope.kinds("api") == frozenset()


def test_scope_by_app_reaches_every_kind_of_that_app_only() -> None:
    scope = Scope.of(apps=["api"])

    assert scope.includes_app("web") is False
    assert scope.includes("api/domain/api.example.com") is True
    assert len(scope.kinds("api")) == 15


def test_a_wildcard_app_segment_reaches_every_app() -> None:
    scope = Scope.of(checks=["*/health"])

    assert sorted(scope.kinds("web")) == ["health"]
    assert scope.includes("web/health") is True
    assert scope.includes("web/release") is False
