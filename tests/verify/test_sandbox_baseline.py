"""A waiver baseline accepts today's drift of a real (sandbox) environment, until it expires.

The stack is deployed, changed by hand (a config var, a rotated secret, an undeclared var, a
wildcard domain, a scaled process type), verified, and the baseline written from that run;
the next run is clean with every one of those findings waived, and once the waivers expire
the same drift fails again.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from infra.clock import FakeClock
from infra.errors import ExitCode
from infra.spec import load_stack
from infra.verify.baseline import BaselineTerms, append_waivers, baseline_entries, open_waivers_file
from infra.verify.waivers import load_waivers
from tests.fixtures.verify import DeployStack, Person, VerifyStack, rows, with_secret_values

pytestmark = pytest.mark.anyio

CANARY = "CANARY0b7e44"
APP = "shopsentiment-staging"
TERMS = BaselineTerms(owner="alice@example.com", reason="hand-made changes from the outage", expires=date(2026, 1, 31))
DRIFT = [
    ("web/config/LOG_LEVEL", "changed"),
    ("web/config/SECRET_KEY", "changed"),
    ("web/formation/web/size", "changed"),
    ("web/config/DEBUG_TOKEN", "unmanaged"),
    ("web/domain/*.shopsentiment.com", "unmanaged"),
]


async def test_a_baseline_waives_todays_drift_until_it_expires(
    project_dir: Path,
    tmp_path: Path,
    deploy_stack: DeployStack,
    person: Person,
    verify_stack: VerifyStack,
    sandbox_clock: FakeClock,
) -> None:
    staging = load_stack("staging", project_dir)
    deployed = await deploy_stack(with_secret_values(staging, {"SECRET_KEY": "k1", "MONGODB_URI": "mongodb://m"}))
    async with person() as heroku:
        await heroku.patch(
            f"/apps/{APP}/config-vars",
            json={"LOG_LEVEL": "INFO", "SECRET_KEY": f"{CANARY}-rotated", "DEBUG_TOKEN": CANARY},
        )
        await heroku.post(f"/apps/{APP}/domains", json={"hostname": "*.shopsentiment.com", "sni_endpoint": None})
        await heroku.patch(f"/apps/{APP}/formation/web", json={"size": "standard-1x"})
    drifted = await verify_stack(staging, manifest=deployed.manifest)
    path = tmp_path / "waivers.yaml"

    append_waivers(
        open_waivers_file(path, today=date(2026, 1, 1)),
        baseline_entries([drifted], TERMS),
        today=date(2026, 1, 1),
    )

    waivers = load_waivers(path)
    accepted = await verify_stack(staging, manifest=deployed.manifest, waivers=waivers)
    sandbox_clock.advance(timedelta(days=31).total_seconds())  # 2026-02-01: the day after they expire
    expired = await verify_stack(staging, manifest=deployed.manifest, waivers=waivers)
    assert (drifted.exit_code, rows(drifted.findings)) == (ExitCode.DRIFT, DRIFT)
    assert [(w.check, w.stack, w.exact) for w in waivers] == [(check, "staging", True) for check, _ in DRIFT]
    assert (accepted.exit_code, rows(accepted.findings)) == (
        ExitCode.OK,
        sorted((check, "waived") for check, _ in DRIFT),
    )
    assert (expired.exit_code, rows(expired.findings)) == (ExitCode.DRIFT, DRIFT)
    assert CANARY not in path.read_text()
