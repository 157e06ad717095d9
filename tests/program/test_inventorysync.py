"""The program for InventorySync's stacks: two app shapes (API and static front end) in one stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.pulumi_mocks import EngineRun, planted

COMPONENT = "heroku-stack:index:HerokuApp"
APP = "heroku:app/app:App"
ADDON = "heroku:addon/addon:Addon"
FORMATION = "heroku:formation/formation:Formation"
DOMAIN = "heroku:domain/domain:Domain"


@pytest.fixture
def inventorysync(project_dir: Path) -> Path:
    return project_dir / "examples" / "inventorysync"


def test_production_runs_two_apps_each_on_two_standard_dynos_behind_its_domain(
    engine_run: EngineRun, inventorysync: Path
) -> None:
    run = engine_run("production", project=inventorysync)

    components = {r.name: r.urn for r in run.by_type(COMPONENT)}
    assert {(r.inputs["name"], r.inputs["buildpacks"][0]) for r in run.by_type(APP)} == {
        ("inventorysync-api-production", "heroku/python"),
        ("inventorysync-web-production", "heroku/nodejs"),
    }
    assert {(r.parent, r.inputs["quantity"], r.inputs["size"]) for r in run.by_type(FORMATION)} == {
        (components["api"], 2, "Standard-1X"),
        (components["web"], 2, "Standard-1X"),
    }
    assert {(r.parent, r.inputs["hostname"]) for r in run.by_type(DOMAIN)} == {
        (components["api"], "api.inventorysync.app"),
        (components["web"], "app.inventorysync.app"),
    }


def test_production_protects_postgres_and_redis_of_the_api(engine_run: EngineRun, inventorysync: Path) -> None:
    run = engine_run("production", project=inventorysync)

    assert {(r.inputs["plan"], r.protect) for r in run.by_type(ADDON)} == {
        ("heroku-postgresql:standard-0", True),
        ("heroku-redis:premium-0", True),
    }


def test_the_api_secrets_including_the_sentry_dsn_are_pulumi_secrets(
    engine_run: EngineRun, inventorysync: Path
) -> None:
    run = engine_run("staging", project=inventorysync)

    api = run.named(APP, "api")
    secret_names = sorted(api.inputs["sensitiveConfigVars"])
    assert secret_names == [
        "JWT_SECRET_KEY",
        "SECRET_KEY",
        "SENTRY_DSN",
        "SHOPIFY_API_KEY",
        "SHOPIFY_API_SECRET",
        "SHOPIFY_WEBHOOK_SECRET",
    ]
    assert (api.is_secret("sensitiveConfigVars"), api.inputs["sensitiveConfigVars"]["SENTRY_DSN"]) == (
        True,
        planted("staging", "apps.api.secrets.SENTRY_DSN"),
    )
    assert run.named(APP, "web").inputs["sensitiveConfigVars"] == {}
