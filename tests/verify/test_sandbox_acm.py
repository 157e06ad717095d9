"""ACM takes time: a custom domain's certificate is pending, then issued; verification waits for it, within 900 s.

The sandbox keeps a certificate `pending` for `Delays.acm` seconds after the domain is added to
an app with ACM on (`pulumi up` of production adds www.shopsentiment.com), then `cert issued`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import ExitCode
from infra.sandbox import Delays
from infra.spec import load_stack
from tests.fixtures.verify import DeployStack, VerifyStack, rows

pytestmark = pytest.mark.anyio

ACM_CHECK = "web/domain/www.shopsentiment.com/acm"


async def deploy_production(project_dir: Path, deploy_stack: DeployStack) -> dict[str, object]:
    await deploy_stack(load_stack("staging", project_dir))  # owns the pipeline production looks up
    return (await deploy_stack(load_stack("production", project_dir))).manifest


class TestACertificateIssuedAfterTwoMinutes:
    @pytest.fixture
    def sandbox_delays(self) -> Delays:
        return Delays(acm=120)

    async def test_the_acm_check_is_polled_from_pending_until_it_passes(
        self, project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
    ) -> None:
        manifest = await deploy_production(project_dir, deploy_stack)
        lines: list[str] = []

        result = await verify_stack(load_stack("production", project_dir), manifest=manifest, progress=lines.append)

        acm = next(f for f in result.findings if f.check_id == ACM_CHECK)
        assert (rows(result.findings), result.exit_code) == ([], ExitCode.OK)
        assert (acm.outcome.value, acm.summary, acm.attempts, acm.duration_seconds) == (
            "pass",
            "certificate issued by ACM",
            3,
            142.5,
        )  # pending when first read, then polled at +30 and +75 s (pending) and +142.5 s (issued)
        assert lines[0] == f"waiting on 1 check: {ACM_CHECK} (ACM certificate not issued yet (pending), 900s left)"


class TestACertificateThatNeverIssues:
    @pytest.fixture
    def sandbox_delays(self) -> Delays:
        return Delays(acm=24 * 3600)

    async def test_the_acm_check_is_pending_at_its_deadline_and_the_run_exits_3(
        self, project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
    ) -> None:
        manifest = await deploy_production(project_dir, deploy_stack)

        result = await verify_stack(load_stack("production", project_dir), manifest=manifest)

        acm = next(f for f in result.findings if f.check_id == ACM_CHECK)
        assert (rows(result.findings), result.exit_code) == ([(ACM_CHECK, "pending")], ExitCode.PENDING)
        assert (acm.summary, acm.duration_seconds) == ("ACM certificate not issued yet (pending)", 900.0)
