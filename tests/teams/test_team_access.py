"""A team-owned ShopSentiment: its team, members and per-app access declared, deployed, drifted by hand, enforced.

The project is ShopSentiment's, whose stacks are owned by the `shopsentiment` Heroku Team:
members in staging (the pipeline owner), per-app grants in both stacks (`as_team_project`
restates them on the copy, so these tests say what they rely on). It is deployed as `pulumi
up` would (the provider's requests, replayed on the sandbox), then changed by hand with the real
Heroku CLI as a team admin would, and verified; a promotion is run by someone without `deploy`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.errors import PromotionBlocked
from infra.plan.planner import plan_stack
from infra.spec.loader import load_stack
from infra.verify.findings import Finding
from infra.verify.reports.json_report import finding_json
from infra.verify.result import VerificationResult
from tests.fixtures.heroku_cli import HerokuCli
from tests.fixtures.promote import Rig, edit_yaml
from tests.fixtures.pulumi_mocks import EngineRun
from tests.fixtures.verify import VerifyStack

pytestmark = pytest.mark.anyio
TEAM = "shopsentiment"
DEV, CI, LEAD = "dev@shopsentiment.example", "ci@shopsentiment.example", "lead@shopsentiment.example"
STAGING_APP, PRODUCTION_APP = "shopsentiment-staging", "shopsentiment-production"


def as_team_project(project: Path) -> None:
    """ShopSentiment's stacks, owned by its team, with the grants the README describes."""

    def staging(document: dict[str, Any]) -> None:
        config = document["config"]
        config["shopsentiment:team"] = {"name": TEAM, "locked": False, "members": {LEAD: "admin", DEV: "member"}}
        config["shopsentiment:apps"]["web"]["access"] = {DEV: ["view", "deploy", "operate"]}

    def production(document: dict[str, Any]) -> None:
        config = document["config"]
        config["shopsentiment:team"] = {"name": TEAM, "locked": True}
        config["shopsentiment:apps"]["web"]["access"] = {CI: ["view", "deploy"], DEV: ["view"]}

    edit_yaml(project / "Pulumi.staging.yaml", staging)
    edit_yaml(project / "Pulumi.production.yaml", production)


@pytest.fixture
def team_rig(rig: Rig) -> Rig:
    as_team_project(rig.project)
    return rig


def not_passing(result: VerificationResult) -> list[Finding]:
    return [f for f in result.findings if f.outcome.value != "pass"]


def test_the_program_declares_team_apps_grants_members_and_a_team_pipeline(team_rig: Rig) -> None:
    staging = plan_stack("staging", team_rig.project)
    production = plan_stack("production", team_rig.project)

    app = next(r for r in production.resources if r.kind == "App")
    grants = {r.inputs["email"]: r.inputs["permissions"] for r in production.resources if r.kind == "Collaborator"}
    members = {r.inputs["email"]: r.inputs["role"] for r in staging.resources if r.kind == "Member"}
    pipeline = next(r for r in staging.resources if r.kind == "Pipeline")
    assert app.type == "heroku:app/app:App"
    assert app.inputs["organization"] == {"name": TEAM, "locked": True, "personal": False}
    assert grants == {CI: ["deploy", "view"], DEV: ["view"]}
    assert {r.type for r in production.resources if r.kind == "Collaborator"} == {
        "heroku:team/collaborator:Collaborator"
    }
    assert members == {LEAD: "admin", DEV: "member"}
    assert not [r for r in production.resources if r.kind == "Member"]  # team-wide: the owner stack's
    assert pipeline.inputs["owner"]["type"] == "team"
    assert [lookup.token for lookup in staging.lookups] == ["heroku:team/getTeam:getTeam"]


async def test_a_team_stack_rehearses_with_the_providers_team_requests_and_verifies_clean(
    team_rig: Rig, verify_stack: VerifyStack
) -> None:
    deployed = await team_rig.deploy()
    staging = await verify_stack(deployed.staging)
    production = await verify_stack(deployed.production)

    assert not_passing(staging) == []
    assert not_passing(production) == []
    assert [f.check_id for f in production.findings if f.kind == "access"] == [
        f"web/access/{CI}",
        f"web/access/{DEV}",
    ]


async def test_the_provider_creates_team_apps_grants_and_members_on_their_team_endpoints(team_rig: Rig) -> None:
    await team_rig.deploy()
    client = team_rig.client
    app = (await client.get(f"/teams/apps/{PRODUCTION_APP}")).json()
    grants = (await client.get(f"/teams/apps/{PRODUCTION_APP}/collaborators")).json()
    members = (await client.get(f"/teams/{TEAM}/members")).json()
    pipeline = (await client.get("/pipelines/shopsentiment")).json()

    assert (app["team"], app["locked"]) == ({"name": TEAM}, True)
    assert {g["user"]["email"]: [p["name"] for p in g["permissions"]] for g in grants} == {
        CI: ["view", "deploy"],
        DEV: ["view"],
    }
    assert {m["email"]: m["role"] for m in members} == {
        "sandbox@example.com": "admin",  # who made the team
        LEAD: "admin",
        DEV: "member",
    }
    assert pipeline["owner"]["type"] == "team"


@pytest.mark.slow
async def test_access_drift_made_with_the_heroku_cli_is_found_and_an_intruder_is_a_security_finding(
    team_rig: Rig, heroku_cli: HerokuCli, verify_stack: VerifyStack, tmp_path: Path
) -> None:
    deployed = await team_rig.deploy()
    heroku_cli.change(f"access:add intruder@example.com -a {PRODUCTION_APP} --permissions deploy")
    heroku_cli.change(f"access:update {DEV} -a {PRODUCTION_APP} --permissions view,deploy")
    heroku_cli.change(f"members:remove {DEV} --team {TEAM}")  # leaving the team takes every grant with it

    production = await verify_stack(deployed.production)
    staging = await verify_stack(deployed.staging)

    found = [(f.check_id, f.outcome.value, f.severity) for f in not_passing(production) + not_passing(staging)]
    assert found == [
        (f"web/access/{DEV}", "missing", "normal"),
        ("web/access/intruder@example.com", "unmanaged", "security"),
        (f"web/access/{DEV}", "missing", "normal"),
    ]
    intruder = next(f for f in production.findings if f.check_id == "web/access/intruder@example.com")
    assert intruder.summary == (
        f"SECURITY: intruder@example.com has access to {PRODUCTION_APP} (deploy, view), which "
        "Pulumi.production.yaml does not grant"
    )
    assert intruder.remedy[0] == (
        f"if nobody meant to grant it, revoke it now: `heroku access:remove intruder@example.com -a {PRODUCTION_APP}`"
    )
    assert finding_json(intruder)["severity"] == "security"
    assert intruder.attribution is not None
    assert "Heroku's API does not say who granted access" in intruder.attribution.note


@pytest.mark.slow
async def test_a_raised_permission_is_changed_drift(
    team_rig: Rig, heroku_cli: HerokuCli, verify_stack: VerifyStack
) -> None:
    deployed = await team_rig.deploy()
    heroku_cli.change(f"access:update {DEV} -a {PRODUCTION_APP} --permissions view,deploy,manage")

    production = await verify_stack(deployed.production)

    (changed,) = not_passing(production)
    assert (changed.check_id, changed.outcome.value, changed.expected, changed.actual) == (
        f"web/access/{DEV}",
        "changed",
        "view",
        "deploy, manage, view",
    )


async def test_someone_without_deploy_on_production_cannot_promote_and_nothing_is_written(team_rig: Rig) -> None:
    await team_rig.deploy()
    team_rig.sandbox.accounts["dev-token"] = DEV  # the developer's own API key: view only on production
    team_rig.sandbox.requests.clear()

    with pytest.raises(PromotionBlocked) as caught:
        await team_rig.promote(token="dev-token")

    assert (
        f"you ({DEV}) lack the deploy permission on {PRODUCTION_APP} (you have: view), which a promotion and its "
        f"rollback need: ask a {TEAM} admin to grant it"
    ) in str(caught.value)
    assert team_rig.writes() == []


async def test_a_team_admin_may_promote_without_an_app_grant(team_rig: Rig) -> None:
    await team_rig.deploy()  # sandbox@example.com made the team: its admin

    result = await team_rig.promote()

    assert result.outcome.value == "succeeded"


def test_the_stacks_load_with_their_team(team_rig: Rig) -> None:
    spec = load_stack("production", team_rig.project)

    assert spec.team is not None
    assert (spec.team.name, spec.team.locked, json.dumps(dict(spec.apps["web"].access))) == (
        TEAM,
        True,
        json.dumps({CI: ["view", "deploy"], DEV: ["view"]}),
    )


def test_under_the_engine_the_team_block_arrives_as_an_object(team_rig: Rig, engine_run: EngineRun) -> None:
    # `pulumi up` hands a mapping config value over as JSON text: the program must read it as an object.
    run = engine_run("production", project=team_rig.project)

    team = run.result.spec.team
    assert team is not None
    assert (team.name, team.locked) == (TEAM, True)
    assert [i.token for i in run.invocations] == []  # production references the pipeline: no team lookup
