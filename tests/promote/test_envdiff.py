"""The environment diff: staging against production on everything that is not code, judged by the policy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from infra.promote.envdiff import EnvDiff, EnvDifference, diff_environments
from infra.promote.facts import AddonFacts, AppFacts, ProcessFacts, value_fingerprint
from infra.promote.promotion_policy import LoadedPolicy, PromotionPolicy, Rule, ValueRule, load_policy
from infra.spec import load_stack
from infra.spec.models import StackSpec

STAGING = AppFacts(
    name="shopsentiment-staging",
    region="us",
    stack="heroku-24",
    acm=False,
    buildpacks=("heroku/python",),
    config={
        "APP_ENV": value_fingerprint("web", "APP_ENV", "staging"),
        "SECRET_KEY": value_fingerprint("web", "SECRET_KEY", "staging-key"),
        "MONGODB_URI": value_fingerprint("web", "MONGODB_URI", "mongodb+srv://staging"),
        "SENTIMENT_MODEL": value_fingerprint("web", "SENTIMENT_MODEL", "vader"),
        "REDIS_URL": value_fingerprint("web", "REDIS_URL", "redis://staging"),
    },
    addons={
        "heroku-redis": AddonFacts("heroku-redis:mini", ("REDIS_URL",)),
        "newrelic": AddonFacts("newrelic:wayne", ("NEW_RELIC_LICENSE_KEY",)),
        "papertrail": AddonFacts("papertrail:choklad", ("PAPERTRAIL_API_TOKEN",)),
    },
    formation={"web": ProcessFacts(1, "basic")},
    features=frozenset({"runtime-dyno-metadata"}),
)
PRODUCTION = replace(
    STAGING,
    name="shopsentiment-production",
    acm=True,
    config={
        "APP_ENV": value_fingerprint("web", "APP_ENV", "production"),
        "SECRET_KEY": value_fingerprint("web", "SECRET_KEY", "production-key"),
        "MONGODB_URI": value_fingerprint("web", "MONGODB_URI", "mongodb+srv://production"),
        "SENTIMENT_MODEL": value_fingerprint("web", "SENTIMENT_MODEL", "vader"),
        "REDIS_URL": value_fingerprint("web", "REDIS_URL", "redis://production"),
        "WEB_CONCURRENCY": value_fingerprint("web", "WEB_CONCURRENCY", "3"),
    },
    addons={
        "heroku-redis": AddonFacts("heroku-redis:premium-0", ("REDIS_URL",)),
        "newrelic": AddonFacts("newrelic:wayne", ("NEW_RELIC_LICENSE_KEY",)),
        "papertrail": AddonFacts("papertrail:fixa", ("PAPERTRAIL_API_TOKEN",)),
    },
    formation={"web": ProcessFacts(2, "standard-2x")},
    features=frozenset({"runtime-dyno-metadata", "preboot"}),
    domains=frozenset({"www.shopsentiment.com"}),
)


@pytest.fixture
def specs(project_dir: Path) -> tuple[StackSpec, StackSpec]:
    return load_stack("staging", project_dir), load_stack("production", project_dir)


@pytest.fixture
def policy(project_dir: Path) -> LoadedPolicy:
    return load_policy(project_dir)


def diff(
    specs: tuple[StackSpec, StackSpec],
    policy: LoadedPolicy,
    staging: AppFacts = STAGING,
    production: AppFacts = PRODUCTION,
) -> EnvDiff:
    return diff_environments(
        {"web": staging}, {"web": production}, policy=policy, source_spec=specs[0], target_spec=specs[1]
    )


def test_shopsentiment_as_declared_differs_only_where_its_policy_allows(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    result = diff(specs, policy)

    assert [(d.path, d.source, d.target, d.blocks) for d in result.differences] == [
        ("web/acm", "off", "on", False),
        ("web/config/WEB_CONCURRENCY", "absent", "set", False),
        ("web/addons/heroku-redis/plan", "heroku-redis:mini", "heroku-redis:premium-0", False),
        ("web/addons/papertrail/plan", "papertrail:choklad", "papertrail:fixa", False),
        ("web/formation/web/quantity", "1", "2", False),
        ("web/formation/web/size", "basic", "standard-2x", False),
        ("web/features/preboot", "disabled", "enabled", False),
        ("web/domains/www.shopsentiment.com", "absent", "present", False),
    ]
    assert (result.blocking, result.unused_rules) == ((), ())


def test_a_config_key_set_in_staging_only_blocks_and_says_where_it_is_declared(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    staging = replace(STAGING, config={**STAGING.config, "LOG_LEVEL": value_fingerprint("web", "LOG_LEVEL", "DEBUG")})
    production = replace(PRODUCTION, config={k: v for k, v in PRODUCTION.config.items() if k != "LOG_LEVEL"})

    result = diff(specs, policy, staging, production)

    assert result.blocking == (
        EnvDifference("web/config/LOG_LEVEL", "set", "absent", "declared in both stacks", allowed_by=None),
    )


def test_a_hand_set_config_key_is_named_as_declared_in_neither_stack(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    staging = replace(STAGING, config={**STAGING.config, "FEATURE_X": value_fingerprint("web", "FEATURE_X", "on")})

    result = diff(specs, policy, staging)

    assert result.blocking == (
        EnvDifference("web/config/FEATURE_X", "set", "absent", "declared in neither stack (set by hand?)"),
    )


def test_a_plan_difference_not_on_the_allowlist_blocks(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    production = replace(
        PRODUCTION, addons={**PRODUCTION.addons, "newrelic": AddonFacts("newrelic:ludwig", ("NEW_RELIC_LICENSE_KEY",))}
    )

    result = diff(specs, policy, production=production)

    assert result.blocking == (EnvDifference("web/addons/newrelic/plan", "newrelic:wayne", "newrelic:ludwig"),)


def test_an_addon_on_one_side_only_blocks_once_without_repeating_its_config_vars(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    staging = replace(
        STAGING,
        addons={**STAGING.addons, "sentry": AddonFacts("sentry:f1", ("SENTRY_DSN",))},
        config={**STAGING.config, "SENTRY_DSN": value_fingerprint("web", "SENTRY_DSN", "https://k@sentry.io/1")},
    )

    result = diff(specs, policy, staging)

    assert result.blocking == (
        EnvDifference("web/addons/sentry", "sentry:f1", "absent", "add-on on one side only; it sets SENTRY_DSN"),
    )


def test_value_rules_compare_by_fingerprint_and_name_the_rule_broken(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    production = replace(
        PRODUCTION,
        config={
            **PRODUCTION.config,
            "SECRET_KEY": value_fingerprint("web", "SECRET_KEY", "staging-key"),
            "SENTIMENT_MODEL": value_fingerprint("web", "SENTIMENT_MODEL", "textblob"),
        },
    )

    result = diff(specs, policy, production=production)

    rules = policy.policy
    assert result.blocking == (
        EnvDifference(
            "web/config/SECRET_KEY",
            "value A",
            "value A",
            "same value in both, and must differ (compared by fingerprint)",
            violates=rules.must_differ[0],
        ),
        EnvDifference(
            "web/config/SENTIMENT_MODEL",
            "value A",
            "value B",
            "values differ, and must match (compared by fingerprint)",
            violates=rules.must_match[0],
        ),
    )
    assert "staging-key" not in repr(result)


def test_sizes_compare_case_insensitively_and_quantity_and_size_are_judged_apart(
    specs: tuple[StackSpec, StackSpec],
) -> None:
    only_quantity = LoadedPolicy(
        PromotionPolicy(may_differ=(Rule(path="web/formation/web/quantity", reason="redundancy"),)), None
    )
    production = replace(PRODUCTION, formation={"web": ProcessFacts(2, "standard-2x")})
    staging = replace(STAGING, formation={"web": ProcessFacts(1, "standard-2x")})

    result = diff(specs, only_quantity, staging, production)

    assert [(d.path, d.blocks) for d in result.differences if "/formation/" in d.path] == [
        ("web/formation/web/quantity", False)
    ]


def test_rules_that_cover_nothing_are_reported_as_unused(specs: tuple[StackSpec, StackSpec]) -> None:
    stale = Rule(path="web/addons/heroku-postgresql/plan", reason="we moved to MongoDB")
    vacuous = ValueRule(path="web/config/NOT_SET_ANYWHERE", reason="typo")
    policy = LoadedPolicy(PromotionPolicy(may_differ=(stale,), must_match=(vacuous,)), None)

    result = diff(specs, policy, STAGING, STAGING)

    assert (result.differences, result.unused_rules) == ((), (stale, vacuous))


def test_an_app_declared_in_one_stack_only_always_blocks(
    specs: tuple[StackSpec, StackSpec], policy: LoadedPolicy
) -> None:
    staging_spec = specs[0].model_copy(update={"apps": {**specs[0].apps, "worker": specs[0].apps["web"]}})

    result = diff_environments(
        {"web": STAGING}, {"web": PRODUCTION}, policy=policy, source_spec=staging_spec, target_spec=specs[1]
    )

    assert result.blocking == (
        EnvDifference(
            "worker", "declared", "absent", "app 'worker' is declared in the staging stack only; apps pair by app key"
        ),
    )
