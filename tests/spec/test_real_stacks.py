"""The committed ShopSentiment stacks load, validate and say what the deployment plan asks."""

from __future__ import annotations

from pathlib import Path

from infra.spec import load_stack


def test_staging_stack_owns_the_pipeline_and_runs_one_basic_dyno(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)

    web = spec.apps["web"]
    assert (spec.stage, spec.pipeline, spec.owns_pipeline) == ("staging", "shopsentiment", True)
    assert (web.name, web.region, web.stack, web.buildpacks) == (
        "shopsentiment-staging",
        "us",
        "heroku-24",
        ("heroku/python",),
    )
    assert [a.plan for a in web.addons] == ["heroku-redis:mini", "papertrail:choklad", "newrelic:wayne"]
    assert {t: (f.quantity, f.size) for t, f in web.formation.items()} == {"web": (1, "Basic")}
    assert sorted(web.secrets) == ["MONGODB_URI", "SECRET_KEY"]
    assert [spec.protects(a) for a in web.addons] == [False, False, False]


def test_production_stack_has_domain_acm_preboot_and_protected_redis(project_dir: Path) -> None:
    spec = load_stack("production", project_dir)

    web = spec.apps["web"]
    assert (spec.stage, spec.owns_pipeline) == ("production", False)
    assert [d.hostname for d in web.domains] == ["www.shopsentiment.com"]
    assert web.acm is True
    assert web.features == {"preboot": True, "runtime-dyno-metadata": True}
    assert {t: (f.quantity, f.size) for t, f in web.formation.items()} == {"web": (2, "Standard-2X")}
    assert [(a.service, spec.protects(a)) for a in web.addons] == [
        ("heroku-redis", True),
        ("papertrail", False),
        ("newrelic", False),
    ]
    assert web.deploy is not None
    assert spec.builds_once(web.deploy) is True


def test_catalog_defaults_fill_in_config_the_stack_does_not_set(project_dir: Path) -> None:
    staging = load_stack("staging", project_dir)

    assert staging.config_vars("web") == {
        "LOG_LEVEL": "DEBUG",
        "WTF_CSRF_ENABLED": "true",
        "MONGODB_DB_NAME": "shopsentiment",
        "SQLITE_FALLBACK_ENABLED": "false",
        "CACHE_TYPE": "RedisCache",
        "CACHE_DEFAULT_TIMEOUT": "300",
        "SENTIMENT_MODEL": "vader",
        "APP_ENV": "staging",
        "NEW_RELIC_APP_NAME": "ShopSentiment (staging)",
    }


def test_secrets_from_the_file_stay_encrypted_and_unprintable(project_dir: Path) -> None:
    secret = load_stack("production", project_dir).apps["web"].secrets["SECRET_KEY"]

    assert (secret.known, repr(secret), secret.fingerprint(scope="x")) == (False, "Secret(****)", None)


def test_manifest_of_production_lists_expected_state_without_secret_values(project_dir: Path) -> None:
    from infra.spec.manifest import manifest

    document = manifest(load_stack("production", project_dir)).document()

    web = document["apps"]["web"]
    assert (document["schema"], document["stage"], document["owns_pipeline"]) == (
        "heroku-stack/manifest@1",
        "production",
        False,
    )
    assert web["secret_config_vars"] == {"MONGODB_URI": None, "SECRET_KEY": None}
    assert web["addons"][0] == {
        "name": "shopsentiment-production-redis",
        "plan": "heroku-redis:premium-0",
        "attachment": None,
        "protected": True,
    }
    assert web["formation"] == {"web": {"quantity": 2, "size": "Standard-2X"}}
