"""Expected state: derived purely from the spec, and from the deployed manifest when given."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import ManifestError
from infra.spec import load_stack
from infra.spec.manifest import manifest
from infra.verify.expected import ExpectedAddon, ExpectedProcess, ExpectedSecret, drain_subject, expected_state
from infra.verify.manifests import read_manifest
from tests.fixtures.verify import with_secret_values


def test_the_staging_stack_file_alone_declares_these_checks(project_dir: Path) -> None:
    expected = expected_state(load_stack("staging", project_dir))

    assert expected.apps["web"].declared_checks() == [
        "web/app",
        "web/app/region",
        "web/app/stack",
        "web/app/acm",
        "web/app/maintenance",
        "web/config/LOG_LEVEL",
        "web/config/WTF_CSRF_ENABLED",
        "web/config/MONGODB_DB_NAME",
        "web/config/SQLITE_FALLBACK_ENABLED",
        "web/config/CACHE_TYPE",
        "web/config/CACHE_DEFAULT_TIMEOUT",
        "web/config/SENTIMENT_MODEL",
        "web/config/APP_ENV",
        "web/config/NEW_RELIC_APP_NAME",
        "web/config/SECRET_KEY",
        "web/config/MONGODB_URI",
        "web/config/REDIS_URL",
        "web/config/PAPERTRAIL_API_TOKEN",
        "web/config/NEW_RELIC_LICENSE_KEY",
        "web/addon/shopsentiment-staging-redis",
        "web/addon/shopsentiment-staging-redis/plan",
        "web/addon/shopsentiment-staging-redis/state",
        "web/addon/shopsentiment-staging-papertrail",
        "web/addon/shopsentiment-staging-papertrail/plan",
        "web/addon/shopsentiment-staging-papertrail/state",
        "web/addon/shopsentiment-staging-newrelic",
        "web/addon/shopsentiment-staging-newrelic/plan",
        "web/addon/shopsentiment-staging-newrelic/state",
        "web/buildpacks",
        "web/formation/web/quantity",
        "web/formation/web/size",
        "web/feature/runtime-dyno-metadata",
        "web/pipeline",
        "web/release",
        "web/access/dev@shopsentiment.example",
        "web/health",
    ]


def test_from_the_stack_file_secrets_are_checked_by_presence_only(project_dir: Path) -> None:
    expected = expected_state(load_stack("production", project_dir))

    assert expected.secrets_checked_by == "presence"
    assert expected.apps["web"].secrets == (ExpectedSecret("SECRET_KEY", None), ExpectedSecret("MONGODB_URI", None))


def test_a_manifest_supplies_the_secret_fingerprints(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)
    deployed = manifest(with_secret_values(spec, {"SECRET_KEY": "s3cret", "MONGODB_URI": "mongodb+srv://u:p@h/db"}))

    expected = expected_state(spec, deployed)

    assert expected.secrets_checked_by == "fingerprint"
    assert [s.fingerprint for s in expected.apps["web"].secrets] == [
        deployed.apps["web"].secret_config_vars["SECRET_KEY"],
        deployed.apps["web"].secret_config_vars["MONGODB_URI"],
    ]
    assert expected.notes == ()


def test_production_expects_sizes_as_heroku_capitalises_them_and_addon_vars_from_the_catalog(
    project_dir: Path,
) -> None:
    app = expected_state(load_stack("production", project_dir)).apps["web"]

    assert app.formation == (ExpectedProcess("web", 2, "Standard-2X"),)
    assert app.addons[0] == ExpectedAddon(
        "shopsentiment-production-redis", "heroku-redis:premium-0", None, provides=("REDIS_URL",)
    )


def test_a_manifest_of_another_stack_is_refused(project_dir: Path) -> None:
    other = manifest(load_stack("production", project_dir))

    with pytest.raises(ManifestError) as err:
        expected_state(load_stack("staging", project_dir), other)

    assert str(err.value) == "the manifest is for stack 'production', but this is stack 'staging'"


def test_a_document_that_is_not_a_manifest_is_refused() -> None:
    with pytest.raises(ManifestError) as err:
        read_manifest({"apps": {}}, project="shopsentiment", stacks=("staging",))

    assert str(err.value) == (
        "the manifest must be the `manifest` stack output (schema 'heroku-stack/manifest@1', got None); "
        "export it with `pulumi stack output manifest --json --show-secrets=false`"
    )


def test_a_manifest_older_than_the_stack_file_is_noted_field_by_field(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)
    deployed = manifest(spec)
    web = deployed.apps["web"]
    older = web.model_copy(update={"config_vars": {**web.config_vars, "LOG_LEVEL": "INFO"}})
    deployed = deployed.model_copy(update={"apps": {"web": older}})

    expected = expected_state(spec, deployed)

    assert expected.notes == (
        "the manifest differs from Pulumi.staging.yaml at apps.web.config_vars; run `pulumi up`, "
        "or export the manifest again if it is stale",
    )


@pytest.mark.parametrize(
    ("url", "subject"),
    [
        ("syslog+tls://logs.papertrailapp.com:12345", "logs.papertrailapp.com:12345"),
        ("https://user:token@logs.example.com/drain?key=abc", "logs.example.com"),
    ],
)
def test_a_drain_subject_never_carries_userinfo_path_or_query(url: str, subject: str) -> None:
    assert drain_subject(url) == subject
