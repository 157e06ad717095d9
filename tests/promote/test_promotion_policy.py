"""The promotion policy file: what it accepts, how its globs match, and the exact errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import SpecError
from infra.promote.promotion_policy import PromotionPolicy, Rule, load_policy


def write_policy(tmp_path: Path, text: str) -> Path:
    (tmp_path / "promotion.yaml").write_text(text)
    return tmp_path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(SpecError) as caught:
        load_policy(write_policy(tmp_path, text))
    return str(caught.value)


def test_the_shopsentiment_policy_loads(project_dir: Path) -> None:
    loaded = load_policy(project_dir)

    assert (loaded.label, len(loaded.policy.may_differ), len(loaded.policy.must_differ)) == ("promotion.yaml", 8, 2)


def test_a_project_without_a_policy_file_allows_no_difference(tmp_path: Path) -> None:
    loaded = load_policy(tmp_path)

    assert (loaded.policy, loaded.source, loaded.label) == (
        PromotionPolicy(),
        None,
        "no promotion.yaml (nothing may differ)",
    )


def test_an_explicit_policy_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_policy(tmp_path, tmp_path / "policies" / "promote.yaml")

    assert str(caught.value) == f"promote.yaml: file not found in {tmp_path / 'policies'}"


@pytest.mark.parametrize(
    ("rule", "path", "covered"),
    [
        ("web/formation/*/quantity", "web/formation/web/quantity", True),
        ("web/formation/*/quantity", "web/formation/web/size", False),
        ("*/domains/*", "api/domains/api.example.com", True),
        ("web/addons/heroku-redis", "web/addons/heroku-redis/plan", True),
        ("web/addons/heroku-redis/plan", "web/addons/heroku-redis", False),
        ("web/config/NEW_RELIC_*", "web/config/NEW_RELIC_APP_NAME", True),
        ("web/config/new_relic_*", "web/config/NEW_RELIC_APP_NAME", False),
    ],
)
def test_rules_match_difference_paths_segment_by_segment(rule: str, path: str, covered: bool) -> None:
    assert Rule(path=rule, reason="because").covers(path) is covered


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "may_differ:\n  - path: web/dynos/web\n    reason: x\n",
            "may_differ[0].path: must be <app key>/<aspect>[/<item>[/<attribute>]] with aspect one of region, "
            "stack, acm, buildpacks, config, addons, formation, features, domains (got 'web/dynos/web')",
        ),
        ("may_differ:\n  - path: web/formation/web/quantity\n", "may_differ[0].reason: is required"),
        (
            "may_differ:\n  - path: web/formation/web/quantity\n    reason: ''\n",
            "may_differ[0].reason: must not be empty",
        ),
        (
            "may_differ:\n  - path: web/stack/heroku-24\n    reason: x\n",
            "may_differ[0].path: stack takes no item: write <app key>/stack (got 'web/stack/heroku-24')",
        ),
        (
            "may_differ:\n  - path: web/formation/web/command\n    reason: x\n",
            "may_differ[0].path: formation/<item> takes the attributes quantity, size "
            "(got 'web/formation/web/command')",
        ),
        (
            "must_match:\n  - path: web/addons/heroku-redis\n    reason: x\n",
            "must_match[0].path: compares config values only: write <app key>/config/<VAR> "
            "(got 'web/addons/heroku-redis')",
        ),
        (
            "may_diff:\n  - path: web/acm\n    reason: x\n",
            "unknown key 'may_diff'; did you mean 'may_differ'? (allowed: may_differ, must_differ, must_match)",
        ),
        ("may_differ: web/acm\n", "may_differ: must be a list (got a string)"),
    ],
)
def test_a_malformed_policy_is_refused_naming_the_entry_and_what_is_allowed(
    tmp_path: Path, text: str, message: str
) -> None:
    assert error_of(tmp_path, text) == f"promotion.yaml: {message}"
