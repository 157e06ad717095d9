"""A stack deployed as `pulumi up` would leave it verifies clean, every check listed, against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import ExitCode
from infra.spec import load_stack
from tests.fixtures.verify import DeployStack, Person, VerifyStack, rows, with_secret_values

pytestmark = pytest.mark.anyio

STAGING_SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
PRODUCTION_SECRETS = {"SECRET_KEY": "production-key", "MONGODB_URI": "mongodb+srv://app:pw@prod.example.net/s"}


async def papertrail_drain(person: Person, app: str) -> str:
    async with person() as heroku:
        (drain,) = await heroku.get_list(f"/apps/{app}/log-drains")
    return f"web/drain/{drain['url'].removeprefix('syslog+tls://')}"


async def test_a_clean_staging_deploy_verifies_with_exit_0_and_every_check_listed(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack, person: Person
) -> None:
    deployed = await deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING_SECRETS))

    result = await verify_stack(load_stack("staging", project_dir), manifest=deployed.manifest)

    assert rows(result.findings, include_pass=True) == [
        (check, "pass")
        for check in sorted(
            [
                *(
                    f"web/addon/shopsentiment-staging-{name}{attr}"
                    for name in ("newrelic", "papertrail", "redis")
                    for attr in ("", "/plan", "/state")
                ),
                "web/access/dev@shopsentiment.example",
                "web/app",
                "web/app/acm",
                "web/app/maintenance",
                "web/app/region",
                "web/app/stack",
                "web/buildpacks",
                *(
                    f"web/config/{var}"
                    for var in (
                        "APP_ENV",
                        "CACHE_DEFAULT_TIMEOUT",
                        "CACHE_TYPE",
                        "LOG_LEVEL",
                        "MONGODB_DB_NAME",
                        "MONGODB_URI",
                        "NEW_RELIC_APP_NAME",
                        "NEW_RELIC_LICENSE_KEY",
                        "PAPERTRAIL_API_TOKEN",
                        "REDIS_URL",
                        "SECRET_KEY",
                        "SENTIMENT_MODEL",
                        "SQLITE_FALLBACK_ENABLED",
                        "WTF_CSRF_ENABLED",
                    )
                ),
                await papertrail_drain(person, "shopsentiment-staging"),
                "web/feature/runtime-dyno-metadata",
                "web/formation/web/quantity",
                "web/formation/web/size",
                "web/health",
                "web/pipeline",
                "web/release",
            ]
        )
    ]
    assert (result.exit_code, result.secrets_checked_by, result.warnings) == (ExitCode.OK, "fingerprint", ())


async def test_a_clean_production_deploy_checks_its_domain_certificate_and_health_through_the_domain(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    await deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING_SECRETS))
    deployed = await deploy_stack(with_secret_values(load_stack("production", project_dir), PRODUCTION_SECRETS))

    result = await verify_stack(load_stack("production", project_dir), manifest=deployed.manifest)

    picked = {f.check_id: f.summary for f in result.findings if f.kind in ("domain", "health", "feature")}
    assert picked == {
        "web/domain/www.shopsentiment.com": picked["web/domain/www.shopsentiment.com"],
        "web/domain/www.shopsentiment.com/acm": "certificate issued by ACM",
        "web/feature/preboot": "preboot is enabled",
        "web/feature/runtime-dyno-metadata": "runtime-dyno-metadata is enabled",
        "web/health": "GET https://www.shopsentiment.com/health: answered 200, release v7",
    }
    assert picked["web/domain/www.shopsentiment.com"].startswith("domain www.shopsentiment.com is added (DNS target ")
    assert (rows(result.findings), result.exit_code) == ([], ExitCode.OK)


async def test_without_a_manifest_secrets_are_checked_by_presence_and_the_run_says_so(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    await deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING_SECRETS))

    result = await verify_stack(load_stack("staging", project_dir))

    secret = next(f for f in result.findings if f.check_id == "web/config/SECRET_KEY")
    assert (result.secrets_checked_by, secret.outcome.value, secret.summary) == (
        "presence",
        "pass",
        "secret SECRET_KEY is set (value not compared: without --manifest only presence is checked)",
    )
