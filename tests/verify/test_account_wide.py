"""A scan that reads apps, add-ons, attachments and couplings once for the account finds exactly
what the per-app scan finds, with the same attribution, on an estate with drift of every kind
those lists hold (made with the real Heroku CLI): an add-on attached from another app, an
unmanaged add-on, an app taken out of its pipeline, and an app destroyed."""

from __future__ import annotations

import pytest

from infra.verify.account import ACCOUNT_WIDE_FROM, account_wide
from infra.verify.result import VerificationResult
from tests.fixtures.estate import estate
from tests.fixtures.heroku_cli import HerokuCli
from tests.fixtures.verify import ApiRequests, DeployStack, VerifyStack

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PER_APP = 10**9  # an `account_wide_from` no stack reaches


def findings(result: VerificationResult) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [
        (f.check_id, f.outcome.value, f.expected, f.actual, f.attribution.note if f.attribution else None)
        for f in result.findings
    ]


async def test_account_wide_reads_find_what_per_app_reads_find(
    deploy_stack: DeployStack, verify_stack: VerifyStack, heroku_cli: HerokuCli, api_requests: ApiRequests
) -> None:
    spec = estate(4)
    await deploy_stack(spec)
    heroku_cli.change("addons:attach estate-000-redis -a estate-app-001")
    heroku_cli.change("addons:create heroku-redis:mini --name estate-extra -a estate-app-000")
    heroku_cli.change("pipelines:remove -a estate-app-002")
    heroku_cli.change("apps:destroy -a estate-app-003 --confirm estate-app-003")

    start = len(api_requests())
    account_wide_result = await verify_stack(spec, account_wide_from=1, wait=False)
    account_wide_requests = api_requests()[start:]
    start = len(api_requests())
    per_app_result = await verify_stack(spec, account_wide_from=PER_APP, wait=False)
    per_app_requests = api_requests()[start:]

    assert findings(account_wide_result) == findings(per_app_result)
    drift = {(check, outcome) for check, outcome, *_ in findings(per_app_result) if outcome != "pass"}
    assert {
        ("app000/addon/estate-extra", "unmanaged"),
        ("app001/attachment/HEROKU_REDIS_AMBER", "unmanaged"),
        ("app002/pipeline", "missing"),
        ("app003/app", "missing"),
    } <= drift
    for path in ("/apps", "/addons", "/addon-attachments", "/pipeline-couplings"):
        assert ("GET", path) in account_wide_requests
        assert ("GET", path) not in per_app_requests
    assert ("GET", "/apps/estate-app-000") not in account_wide_requests
    assert ("GET", "/apps/estate-app-000") in per_app_requests
    assert len(account_wide_requests) < len(per_app_requests)


def test_a_small_scan_keeps_per_app_reads_and_add_ons_bring_their_attachments() -> None:
    two_apps = [frozenset({"addons", "attachments", "coupling"})] * 2
    assert account_wide(two_apps, ACCOUNT_WIDE_FROM) == frozenset()
    many = [frozenset({"addons", "coupling"})] * ACCOUNT_WIDE_FROM
    assert account_wide(many, ACCOUNT_WIDE_FROM) == {"info", "addons", "attachments", "coupling"}
    config_only = [frozenset({"config"})] * ACCOUNT_WIDE_FROM
    assert account_wide(config_only, ACCOUNT_WIDE_FROM) == {"info"}
