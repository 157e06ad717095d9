"""Health checks through the sandbox's router: the app itself answers, tied to its current release.

Staging's check: GET /health, 200, `status: ok`, `release` equal to the current release, every
5 s for up to 180 s. The sandbox app answers `{"status": "ok", "release": "v<current>"}` unless
told otherwise (`set_app_http`); its clock is the fake clock the checks wait on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.errors import ExitCode
from infra.spec import load_stack
from infra.spec.models import StackSpec
from infra.verify.findings import Finding
from tests.fixtures.deploy import DeployedStack
from tests.fixtures.sandbox import SetAppHttp
from tests.fixtures.verify import DeployStack, VerifyStack, with_secret_values

pytestmark = pytest.mark.anyio

SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
APP = "shopsentiment-staging"
URL = "GET https://shopsentiment-staging-9b0847d1ad3b.herokuapp.com/health"


@pytest.fixture
def staging(project_dir: Path) -> StackSpec:
    return load_stack("staging", project_dir)


@pytest.fixture
async def deployed(staging: StackSpec, deploy_stack: DeployStack) -> DeployedStack:
    return await deploy_stack(with_secret_values(staging, SECRETS))


def health_of(result: Any) -> Finding:
    return next(f for f in result.findings if f.check_id == "web/health")


async def test_a_healthy_app_passes_at_the_first_request(
    staging: StackSpec, deployed: DeployedStack, verify_stack: VerifyStack
) -> None:
    health = health_of(await verify_stack(staging, manifest=deployed.manifest))

    assert (health.outcome.value, health.summary, health.expected, health.actual, health.attempts) == (
        "pass",
        f"{URL}: answered 200, release v7",
        "HTTP 200, status='ok', release='v7'",
        'HTTP 200, release="v7"',
        1,
    )


async def test_an_unhealthy_app_fails_after_retrying_until_the_deadline(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, unhealthy=True)

    result = await verify_stack(staging, manifest=deployed.manifest)

    health = health_of(result)
    assert (health.outcome.value, health.summary, health.attempts, health.duration_seconds) == (
        "changed",
        f"{URL}: answered 503, expected 200 (Heroku's application error page: the router got no answer from the "
        "app; `heroku logs` names the H code)",
        37,
        180.0,
    )
    assert result.exit_code is ExitCode.DRIFT


async def test_a_slow_start_is_healthy_within_the_deadline(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, unhealthy_for_seconds=20)

    result = await verify_stack(staging, manifest=deployed.manifest)

    health = health_of(result)
    assert (health.outcome.value, health.attempts, health.duration_seconds) == ("pass", 5, 20.0)
    assert result.exit_code is ExitCode.OK


async def test_a_wrong_body_fails_naming_the_wrong_field(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, body={"status": "degraded", "release": "v7"})

    health = health_of(await verify_stack(staging, manifest=deployed.manifest, max_wait=10))

    assert (health.outcome.value, health.summary) == ("changed", f'{URL}: status is "degraded", expected "ok"')


async def test_a_healthy_answer_from_the_previous_release_fails(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, report_previous_release=True)

    health = health_of(await verify_stack(staging, manifest=deployed.manifest, max_wait=10))

    assert (health.outcome.value, health.summary, health.actual) == (
        "changed",
        f'{URL}: release is "v6", but the current release is v7 (an old dyno answered?)',
        'HTTP 200, release="v6"',
    )


async def test_without_waiting_an_unhealthy_app_is_asked_once(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, unhealthy_for_seconds=20)

    health = health_of(await verify_stack(staging, manifest=deployed.manifest, wait=False))

    assert (health.outcome.value, health.attempts) == ("changed", 1)
