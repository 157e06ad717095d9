"""More HTTP checks than `health`: each verified like it, each reported as <app>/http/<name>."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import ExitCode
from infra.spec import load_stack
from infra.spec.models import HealthCheck, StackSpec
from infra.verify.findings import Outcome
from infra.verify.health import judge
from tests.fixtures.deploy import DeployedStack
from tests.fixtures.sandbox import SetAppHttp
from tests.fixtures.verify import DeployStack, VerifyStack, with_secret_values

pytestmark = pytest.mark.anyio

SECRETS = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
APP = "shopsentiment-staging"
PROMETHEUS = "text/plain; version=0.0.4"
METRICS = HealthCheck(path="/metrics", expect_content_type=PROMETHEUS, expect_body=r"(?m)^up 1$")
STATUS = HealthCheck(path="/health/status", expect_json={"database": "ok"}, release_field="release")


@pytest.fixture
def staging(project_dir: Path) -> StackSpec:
    spec = load_stack("staging", project_dir)
    web = spec.apps["web"].model_copy(update={"http_checks": {"metrics": METRICS, "status": STATUS}})
    return spec.model_copy(update={"apps": {"web": web}})


@pytest.fixture
async def deployed(staging: StackSpec, deploy_stack: DeployStack) -> DeployedStack:
    return await deploy_stack(with_secret_values(staging, SECRETS))


def answers(metrics_type: str = PROMETHEUS) -> dict[str, object]:
    return {
        "paths": {
            "/metrics": {"content_type": metrics_type, "text": "# TYPE up gauge\nup 1\n"},
            "/health/status": {"json": {"database": "ok", "release": "{release}"}},
        }
    }


def outcomes(findings: list, kinds: tuple[str, ...] = ("health", "http")) -> dict[str, str]:  # type: ignore[type-arg]
    return {f.check_id: f.outcome.value for f in findings if f.kind in kinds}


async def test_each_http_check_is_verified_and_reported_on_its_own(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, **answers())

    result = await verify_stack(staging, manifest=deployed.manifest)

    assert outcomes(list(result.findings)) == {
        "web/health": "pass",
        "web/http/metrics": "pass",
        "web/http/status": "pass",
    }
    status = next(f for f in result.findings if f.check_id == "web/http/status")
    assert status.summary.endswith("answered 200, release v7")
    assert result.exit_code is ExitCode.OK


async def test_a_metrics_endpoint_with_the_wrong_content_type_is_changed(
    staging: StackSpec, deployed: DeployedStack, set_app_http: SetAppHttp, verify_stack: VerifyStack
) -> None:
    set_app_http(APP, **answers(metrics_type="application/json"))

    result = await verify_stack(staging, manifest=deployed.manifest, max_wait=10)

    metrics = next(f for f in result.findings if f.check_id == "web/http/metrics")
    assert (metrics.outcome, metrics.kind) == (Outcome.CHANGED, "http")
    assert metrics.summary.endswith(f"answered 200 with application/json, expected {PROMETHEUS}")
    assert outcomes(list(result.findings))["web/http/status"] == "pass"


def test_a_body_without_the_expected_pattern_is_changed() -> None:
    probe = judge(METRICS, 200, PROMETHEUS, b"# TYPE up gauge\nup 0\n", None)

    assert (probe.outcome, probe.summary) == (
        Outcome.CHANGED,
        r"answered 200 but the body does not contain /(?m)^up 1$/",
    )
