"""The planner on written stacks: provider settings from the stack file, warnings, failures, diffs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.errors import PlanError, SpecError
from infra.plan.diff import Difference, diff_plans
from infra.plan.engine import run_program
from infra.plan.planner import plan_stack
from infra.plan.render import render_text
from tests.fixtures.spec_files import WriteStack, app

SECURE = {"secure": "v1:bm9uY2U=:Y2lwaGVy"}


def provider_inputs(project: Any) -> dict[str, Any]:
    plan = plan_stack("staging", project)
    return dict(next(r for r in plan.resources if r.kind == "Provider").inputs)


def test_the_stack_files_heroku_url_and_api_key_reach_the_provider(write_stack: WriteStack) -> None:
    project = write_stack(extra={"heroku:url": "http://127.0.0.1:5555/", "heroku:apiKey": SECURE})

    assert provider_inputs(project) == {
        "apiKey": "[secret]",
        "url": "http://127.0.0.1:5555",
        "delays": {"postAppCreateDelay": 0, "postDomainCreateDelay": 0, "postSpaceCreateDelay": 0},
        "customizations": [{"setAddonConfigVarsInState": False, "setAppAllConfigVarsInState": False}],
        "timeouts": {"addonCreateTimeout": 60},
    }


def test_the_environment_does_not_change_the_plan(write_stack: WriteStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", "env-key")
    monkeypatch.setenv("HEROKU_API_URL", "http://127.0.0.1:9999")

    assert provider_inputs(write_stack()) == {
        "customizations": [{"setAddonConfigVarsInState": False, "setAppAllConfigVarsInState": False}],
        "timeouts": {"addonCreateTimeout": 60},
    }


def test_a_bad_heroku_url_in_the_stack_file_is_a_spec_error(write_stack: WriteStack) -> None:
    project = write_stack(extra={"heroku:url": "127.0.0.1:5555"})

    with pytest.raises(SpecError) as caught:
        plan_stack("staging", project)

    assert str(caught.value) == (
        "Pulumi.staging.yaml: heroku:url: must be an http(s) URL such as http://127.0.0.1:5050 (got '127.0.0.1:5555')"
    )


def test_a_stack_without_deploy_plans_with_a_warning_about_the_first_up(write_stack: WriteStack) -> None:
    plan = plan_stack("staging", write_stack())

    assert plan.warnings == (
        "apps.web (demo-staging) scales web but has no `deploy`: on a fresh app the first `pulumi up` fails at "
        "the formation until code declaring those process types is released (git push or promotion); "
        "add `deploy` to build it",
    )
    assert render_text(plan).endswith(f"\nWarnings:\n- {plan.warnings[0]}\n")


def test_secrets_that_are_still_encrypted_plan_as_masked_names(write_stack: WriteStack) -> None:
    plan = plan_stack("staging", write_stack(apps={"web": app(drains=[{"secret_url": SECURE}])}))

    inputs = {r.kind: dict(r.inputs) for r in plan.resources}
    assert (inputs["App"]["sensitiveConfigVars"], inputs["Drain"]["sensitiveUrl"]) == (
        {"SESSION_SECRET": "[secret]"},
        "[secret]",
    )
    assert [r.name for r in plan.resources if r.kind == "Drain"] == ["[secret]"]


def test_a_program_failure_under_the_mock_engine_is_a_plan_error() -> None:
    def program() -> None:
        raise TypeError("Missing required property 'region'")

    with pytest.raises(PlanError) as caught:
        run_program(program, project="demo", stack="staging")

    assert str(caught.value) == (
        "the Pulumi program failed under the mock engine: TypeError: Missing required property 'region'"
    )


def test_a_spec_error_raised_by_the_program_passes_through_unchanged() -> None:
    error = SpecError("Pulumi.yaml", None, [])

    def program() -> None:
        raise error

    with pytest.raises(SpecError) as caught:
        run_program(program, project="demo", stack="staging")

    assert caught.value is error


def test_an_app_declared_in_one_stack_only_is_one_difference_and_production_protects_data(
    write_stack: WriteStack,
) -> None:
    apps = {"web": app(name="demo-production"), "worker": app(name="demo-worker", addons=[])}
    staging = plan_stack("staging", write_stack())
    production = plan_stack("production", write_stack("production", stage="production", apps=apps))

    differences = diff_plans(staging, production).differences

    assert differences == (
        Difference(None, "pipeline", "", "created and protected here", "read from stack organization/demo/staging"),
        Difference("web", "app", "[protected]", "no", "yes"),
        Difference("web", "addon heroku-redis", "[protected]", "no", "yes"),
        Difference("worker", "app", "", "(absent)", "declared"),
    )


def test_two_addons_of_one_service_pair_by_their_keys(write_stack: WriteStack) -> None:
    two = [
        {"plan": "heroku-postgresql:essential-0", "name": "demo-db"},
        {"plan": "heroku-postgresql:essential-1", "name": "demo-db-analytics", "key": "analytics-db"},
    ]
    one = [{"plan": "heroku-postgresql:essential-0", "name": "demo-prod-db"}]
    left = plan_stack("staging", write_stack(apps={"web": app(addons=two, secrets=None)}))
    right = plan_stack("qa", write_stack("qa", apps={"web": app(addons=one, secrets=None)}))

    assert [json.dumps(d.to_json()) for d in diff_plans(left, right).differences] == [
        json.dumps(
            {
                "app": "web",
                "role": "addon analytics-db",
                "field": "",
                "left": "heroku-postgresql:essential-1",
                "right": "(absent)",
            }
        )
    ]
