"""Each kind of drift, made out of band with the real Heroku CLI, as a team member would.

Every test deploys the stack as `pulumi up` would, makes one change by hand with `heroku ...`
(the pinned CLI, over a loopback port to the same sandbox), verifies, and compares the whole
list of findings that are not passes, their attribution and the exit code. The sandbox records
every release as its one account, sandbox@example.com, at the fake clock's time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import ExitCode
from infra.spec import load_stack
from infra.spec.models import DrainSpec, StackSpec
from infra.verify.result import VerificationResult
from tests.fixtures.deploy import DeployedStack
from tests.fixtures.heroku_cli import HerokuCli
from tests.fixtures.verify import DeployStack, VerifyStack, with_secret_values

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
APP = "shopsentiment-staging"
REDIS = "shopsentiment-staging-redis"
WHEN = "2026-01-01T00:00:00Z"
NO_RELEASE = "Heroku's release log cannot say who did this or when: {} on Heroku"


@pytest.fixture
def staging(project_dir: Path) -> StackSpec:
    return load_stack("staging", project_dir)


@pytest.fixture
async def deployed(staging: StackSpec, deploy_stack: DeployStack) -> DeployedStack:
    return await deploy_stack(with_secret_values(staging, SECRETS))


def drift_of(result: VerificationResult) -> list[tuple[str, str, str | None]]:
    """(check id, outcome, who/when) of every finding that is not a pass, in report order."""
    findings = result.findings
    return [
        (f.check_id, f.outcome.value, f.attribution.note if f.attribution else None)
        for f in findings
        if f.outcome.value != "pass"
    ]


async def test_a_changed_config_var_is_changed_and_names_who_set_it(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"config:set LOG_LEVEL=INFO -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/config/LOG_LEVEL", "changed", f"v8 by sandbox@example.com at {WHEN}: Set LOG_LEVEL config vars")
    ]
    assert result.exit_code is ExitCode.DRIFT


async def test_an_added_config_var_is_unmanaged(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"config:set FEATURE_X=on -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/config/FEATURE_X", "unmanaged", f"v8 by sandbox@example.com at {WHEN}: Set FEATURE_X config vars")
    ]
    assert result.exit_code is ExitCode.DRIFT


async def test_a_removed_config_var_is_missing(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"config:unset CACHE_TYPE -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/config/CACHE_TYPE", "missing", f"v8 by sandbox@example.com at {WHEN}: Remove CACHE_TYPE config vars")
    ]
    assert result.exit_code is ExitCode.DRIFT


async def test_a_rotated_secret_is_changed_by_fingerprint(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"config:set SECRET_KEY=rotated-by-hand -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/config/SECRET_KEY", "changed", f"v8 by sandbox@example.com at {WHEN}: Set SECRET_KEY config vars")
    ]
    assert result.exit_code is ExitCode.DRIFT


async def test_an_addon_plan_change_is_changed_and_attributed_to_the_upgrade(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"addons:upgrade {REDIS} premium-0 -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        (
            f"web/addon/{REDIS}/plan",
            "changed",
            f"v8 by sandbox@example.com at {WHEN}: Update REDIS (@ref:{REDIS}) to heroku-redis:premium-0",
        ),
    ]
    assert result.exit_code is ExitCode.DRIFT


async def test_a_removed_addon_is_missing_with_the_var_it_set(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"addons:destroy {REDIS} -a {APP} --confirm {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    detached = f"v8 by sandbox@example.com at {WHEN}: Detach REDIS (@ref:{REDIS})"
    assert drift_of(result) == [
        (f"web/addon/{REDIS}", "missing", detached),
        ("web/config/REDIS_URL", "missing", detached),
    ]
    assert result.exit_code is ExitCode.DRIFT


async def test_an_extra_addon_is_unmanaged_but_its_config_var_is_platform_managed(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"addons:create heroku-postgresql:essential-0 --name extra-db -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/addon/extra-db", "unmanaged", f"v8 by sandbox@example.com at {WHEN}: Attach DATABASE (@ref:extra-db)")
    ]
    database_url = next(f for f in result.findings if f.check_id == "web/config/DATABASE_URL")
    assert (database_url.outcome.value, database_url.platform_managed) == ("pass", "add-on extra-db")
    assert result.exit_code is ExitCode.DRIFT


async def test_reordered_buildpacks_are_changed(
    staging: StackSpec, deploy_stack: DeployStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    two = staging.model_copy(
        update={
            "apps": {"web": staging.apps["web"].model_copy(update={"buildpacks": ("heroku/nodejs", "heroku/python")})}
        }
    )
    deployed = await deploy_stack(with_secret_values(two, SECRETS))
    heroku_cli.change(f"buildpacks:remove heroku/python -a {APP}")
    heroku_cli.change(f"buildpacks:add --index 1 heroku/python -a {APP}")

    result = await verify_stack(two, manifest=deployed.manifest)

    assert drift_of(result) == [
        (
            "web/buildpacks",
            "changed",
            NO_RELEASE.format("buildpack changes make no release (they apply at the next build)"),
        )
    ]
    assert result.findings[0].summary == (
        "buildpacks are heroku/python, heroku/nodejs, expected heroku/nodejs, heroku/python "
        "(same buildpacks in another order)"
    )


async def test_an_added_domain_is_unmanaged_with_an_import_command(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"domains:add beta.shopsentiment.com -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/domain/beta.shopsentiment.com", "unmanaged", NO_RELEASE.format("domain changes make no release"))
    ]
    assert result.findings[0].remedy == (
        "to keep it, declare it under apps.web.domains in Pulumi.staging.yaml, then adopt it: pulumi import --stack "
        "staging 'heroku:domain/domain:Domain' web-domain-beta.shopsentiment.com "
        "shopsentiment-staging:beta.shopsentiment.com "
        "--parent 'parent=urn:pulumi:staging::shopsentiment::heroku-stack:index:HerokuApp::web' "
        "--provider 'heroku=urn:pulumi:staging::shopsentiment::pulumi:providers:heroku::heroku'",
        "or remove it: `heroku domains:remove beta.shopsentiment.com -a shopsentiment-staging`",
    )


async def test_a_removed_domain_is_missing_and_health_through_it_fails(
    project_dir: Path, deploy_stack: DeployStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    await deploy_stack(with_secret_values(load_stack("staging", project_dir), SECRETS))
    production = load_stack("production", project_dir)
    deployed = await deploy_stack(with_secret_values(production, SECRETS))
    heroku_cli.change("domains:remove www.shopsentiment.com -a shopsentiment-production")

    result = await verify_stack(production, manifest=deployed.manifest, max_wait=30)

    assert drift_of(result) == [
        ("web/domain/www.shopsentiment.com", "missing", NO_RELEASE.format("domain changes make no release")),
        ("web/health", "changed", NO_RELEASE.format("a health answer is not a change")),
    ]
    health = next(f for f in result.findings if f.check_id == "web/health")
    # Retried every 5 s (the spec's interval) until the 30 s cap: 7 attempts, each a 4xx (the sandbox
    # answers an unknown host as the API does, 401; Heroku's router would answer 404).
    assert health.summary.startswith("GET https://www.shopsentiment.com/health: answered 4")
    assert health.attempts == 7


async def test_scaling_and_resizing_are_changed_and_say_heroku_records_no_release(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"ps:scale web=3:standard-1x -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    note = NO_RELEASE.format("scaling and resizing make no release")
    assert drift_of(result) == [
        ("web/formation/web/quantity", "changed", note),
        ("web/formation/web/size", "changed", note),
    ]
    assert [f.summary for f in result.findings[:2]] == [
        "web runs 3 dynos, expected 1",
        "web dynos are Standard-1X, expected Basic",
    ]


async def test_a_removed_drain_is_missing(
    staging: StackSpec, deploy_stack: DeployStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    with_drain = staging.model_copy(
        update={
            "apps": {
                "web": staging.apps["web"].model_copy(
                    update={"drains": (DrainSpec(url="syslog+tls://logs.example.com:6514"),)}
                )
            }
        }
    )
    deployed = await deploy_stack(with_secret_values(with_drain, SECRETS))
    heroku_cli.change(f"drains:remove syslog+tls://logs.example.com:6514 -a {APP}")

    result = await verify_stack(with_drain, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/drain/logs.example.com:6514", "missing", NO_RELEASE.format("log drain changes make no release"))
    ]


async def test_a_toggled_feature_is_changed(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"labs:disable runtime-dyno-metadata -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/feature/runtime-dyno-metadata", "changed", NO_RELEASE.format("feature flags change without a release"))
    ]


async def test_a_deleted_app_is_one_missing_finding(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"apps:destroy -a {APP} --confirm {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [("web/app", "missing", "the app is gone, and its release log with it")]
    assert result.findings[0].summary == (
        "app shopsentiment-staging does not exist on Heroku, so its 35 other checks cannot run"
    )
    assert result.exit_code is ExitCode.DRIFT


async def test_a_rollback_is_the_probable_author_of_config_drift(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"config:set LOG_LEVEL=WARNING -a {APP}")
    heroku_cli.change(f"config:set LOG_LEVEL=DEBUG APP_ENV=qa -a {APP}")
    heroku_cli.change(f"releases:rollback v7 -a {APP}")
    heroku_cli.change(f"config:set LOG_LEVEL=INFO -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/config/LOG_LEVEL", "changed", f"v11 by sandbox@example.com at {WHEN}: Set LOG_LEVEL config vars"),
    ]


async def test_a_changed_stack_is_changed(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"stack:set heroku-22 -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        (
            "web/app/stack",
            "changed",
            NO_RELEASE.format("app settings (stack, ACM, maintenance) change without a release"),
        )
    ]
    assert result.findings[0].summary == "stack is heroku-22, expected heroku-24"


async def test_maintenance_mode_fails_the_health_check_with_heroku_s_maintenance_page(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"maintenance:on -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest, max_wait=10)

    assert drift_of(result) == [
        (
            "web/app/maintenance",
            "changed",
            NO_RELEASE.format("app settings (stack, ACM, maintenance) change without a release"),
        ),
        ("web/health", "changed", NO_RELEASE.format("a health answer is not a change")),
    ]
    switched = next(f for f in result.findings if f.check_id == "web/app/maintenance")
    assert (switched.summary, switched.remedy) == (
        "maintenance is on, expected off",
        ("`heroku maintenance:off -a shopsentiment-staging` (the stack declares it off; `pulumi up` does not set it)",),
    )
    assert result.exit_code is ExitCode.DRIFT
    health = next(f for f in result.findings if f.check_id == "web/health")
    assert health.summary == (
        f"GET https://{APP}-9b0847d1ad3b.herokuapp.com/health: answered 503, expected 200 "
        "(Heroku's maintenance page: the app is in maintenance mode)"
    )


async def test_a_feature_switched_on_by_hand_is_unmanaged_with_how_to_adopt_or_switch_it_off(
    staging: StackSpec, deployed: DeployedStack, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    heroku_cli.change(f"features:enable http-session-affinity -a {APP}")

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert drift_of(result) == [
        ("web/feature/http-session-affinity", "unmanaged", NO_RELEASE.format("feature flags change without a release"))
    ]
    finding = result.findings[0]
    assert finding.summary == (
        "http-session-affinity is enabled on Heroku but declared nowhere in Pulumi.staging.yaml "
        "(Heroku's default is off)"
    )
    assert finding.remedy[0].startswith(
        "to keep it, declare `http-session-affinity: true` under apps.web.features in Pulumi.staging.yaml, then adopt "
        "it: pulumi import --stack staging 'heroku:app/feature:Feature' web-feature-http-session-affinity "
    )
    assert finding.remedy[1] == f"or switch it off: `heroku features:disable http-session-affinity -a {APP}`"
    assert result.exit_code is ExitCode.DRIFT
