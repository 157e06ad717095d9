"""Scoping skips the API calls of everything out of scope; waivers and empty scopes change the exit code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infra.errors import ExitCode, ScopeError
from infra.spec import load_stack
from infra.spec.models import StackSpec
from infra.verify.checkids import Scope
from infra.verify.run import add_waiver_warnings
from infra.verify.waivers import Waiver
from tests.fixtures.deploy import DeployedStack
from tests.fixtures.verify import ApiRequests, DeployStack, Person, VerifyStack, rows, with_secret_values

pytestmark = pytest.mark.anyio

SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
APP = "/apps/shopsentiment-staging"


@pytest.fixture
def staging(project_dir: Path) -> StackSpec:
    return load_stack("staging", project_dir)


@pytest.fixture
async def deployed(staging: StackSpec, deploy_stack: DeployStack, sandbox_state: object) -> DeployedStack:
    return await deploy_stack(with_secret_values(staging, SECRETS))


def waiver(check: str, expires: date) -> Waiver:
    return Waiver(check=check, reason="QA flag until the release train ships", owner="qa@example.com", expires=expires)


@pytest.mark.parametrize(
    ("checks", "requests"),
    [
        (["web/formation/*"], [APP, f"{APP}/formation"]),
        (
            ["web/config/LOG_LEVEL"],
            [APP, f"{APP}/releases", f"{APP}/config-vars", f"{APP}/addons", f"{APP}/addon-attachments"],
        ),
        (["*/health"], [APP, f"{APP}/releases"]),
        (["web/pipeline"], ["/pipelines/shopsentiment", APP, f"{APP}/pipeline-couplings"]),
        (["web/nothing-of-the-sort"], []),
    ],
)
async def test_a_check_scope_reads_only_the_collections_its_checks_need(
    staging: StackSpec,
    deployed: DeployedStack,
    verify_stack: VerifyStack,
    api_requests: ApiRequests,
    checks: list[str],
    requests: list[str],
) -> None:
    before = len(api_requests())

    await verify_stack(staging, manifest=deployed.manifest, scope=Scope.of(checks=checks))

    assert sorted(path for _, path in api_requests()[before:]) == sorted(requests)


async def test_an_app_scope_never_touches_the_other_apps(
    staging: StackSpec, deploy_stack: DeployStack, verify_stack: VerifyStack, api_requests: ApiRequests
) -> None:
    web = staging.apps["web"]
    two = staging.model_copy(
        update={
            "apps": {
                "web": web,
                "worker": web.model_copy(update={"name": "shopsentiment-staging-worker", "addons": (), "health": None}),
            }
        }
    )
    deployed = await deploy_stack(with_secret_values(with_secret_values(two, SECRETS), SECRETS, app="worker"))
    before = len(api_requests())

    result = await verify_stack(two, manifest=deployed.manifest, scope=Scope.of(apps=["worker"]))

    assert {f.app for f in result.findings} == {"worker"}
    worker = "/apps/shopsentiment-staging-worker"
    suffixes = (
        "",
        "/releases",
        "/config-vars",
        "/addons",
        "/addon-attachments",
        "/domains",
        "/buildpack-installations",
        "/formation",
        "/log-drains",
        "/features",
        "/pipeline-couplings",
        "/collaborators",
    )
    assert sorted(path for _, path in api_requests()[before:]) == sorted(
        ["/pipelines/shopsentiment", *(worker + s for s in suffixes)]
    )


async def test_an_unknown_app_in_scope_is_refused_before_any_request(
    staging: StackSpec, verify_stack: VerifyStack, api_requests: ApiRequests
) -> None:
    with pytest.raises(ScopeError) as err:
        await verify_stack(staging, scope=Scope.of(apps=["api"]))

    assert str(err.value) == "--app api: stack 'staging' declares no such app (apps: web)"
    assert api_requests() == []


async def test_a_scope_that_selects_no_check_is_an_error_not_a_pass(
    staging: StackSpec, deployed: DeployedStack, verify_stack: VerifyStack
) -> None:
    result = await verify_stack(staging, scope=Scope.of(checks=["web/nothing-of-the-sort"]))

    assert (result.findings, result.exit_code, result.warnings) == (
        (),
        ExitCode.ERROR,
        ("--check web/nothing-of-the-sort matched no check",),
    )


async def test_an_active_waiver_waives_drift_and_an_expired_one_lets_it_fail(
    staging: StackSpec, deployed: DeployedStack, person: Person, verify_stack: VerifyStack
) -> None:
    async with person() as heroku:
        await heroku.patch(f"{APP}/config-vars", json={"QA_FLAG": "1", "OLD_FLAG": "1"})
    waivers = [
        waiver("web/config/QA_FLAG", date(2026, 1, 31)),
        waiver("web/config/OLD_FLAG", date(2025, 12, 31)),
        waiver("web/config/GONE", date(2026, 1, 31)),
    ]

    result = await verify_stack(staging, manifest=deployed.manifest, waivers=waivers)
    (final,) = add_waiver_warnings([result], waivers, Scope())

    assert rows(final.findings) == [("web/config/OLD_FLAG", "unmanaged"), ("web/config/QA_FLAG", "waived")]
    assert final.exit_code is ExitCode.DRIFT
    assert final.warnings == (
        "waiver 2 (`web/config/OLD_FLAG`, owner qa@example.com) expired on 2025-12-31: its drift fails again",
        "waiver 3 (`web/config/GONE`, owner qa@example.com) is unused: it matches no check in this run, "
        "so delete or fix it",
    )


async def test_a_web_app_without_a_health_check_is_warned_about_as_asserting_nothing(
    staging: StackSpec, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    silent = staging.model_copy(update={"apps": {"web": staging.apps["web"].model_copy(update={"health": None})}})
    deployed = await deploy_stack(with_secret_values(silent, SECRETS))

    result = await verify_stack(silent, manifest=deployed.manifest)

    assert (result.exit_code, result.warnings) == (
        ExitCode.OK,
        (
            "apps.web (shopsentiment-staging) runs web dynos but declares no `health` check, so nothing proves it "
            "serves requests; add one (path, expected status and JSON, release_field)",
        ),
    )
