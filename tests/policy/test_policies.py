"""The guardrail policies: the real stacks pass, a careless production stack fails each one by name.

Policies are called as `pulumi preview --policy-pack policy/` calls them (each resource policy's
validate with the resource's arguments, each stack policy with every resource), through the
offline evaluation `heroku-stack plan` uses, or directly, as pulumi-policy's own tests do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from infra.cli.main import main
from infra.errors import ExitCode, SpecError
from infra.plan.planner import plan_stack
from infra.policy import POLICIES, evaluate, load_config
from tests.conftest import PROJECT_DIR
from tests.fixtures.spec_files import MINIMAL_APP, WriteStack, app

PROJECTS = [(PROJECT_DIR, "staging"), (PROJECT_DIR, "production")]
PROJECTS += [(PROJECT_DIR / "examples" / "inventorysync", s) for s in ("staging", "production")]

CARELESS = app(
    name="demo-production",
    formation={"web": {"quantity": 1, "size": "basic"}},
    addons=[{"plan": "heroku-postgresql:essential-0", "name": "demo-production-db", "protect": False}],
    domains=[{"hostname": "www.demo.example.com"}],
)


@pytest.fixture
def careless(write_stack: WriteStack) -> Path:
    """A production stack with eco-era habits: one Basic dyno, a small unprotected database, no ACM, no preboot."""
    write_stack("staging", apps={"web": dict(MINIMAL_APP)})
    return write_stack("production", stage="production", apps={"web": CARELESS})


def violations(project: Path, stack: str) -> list[tuple[str, str, str]]:
    found = evaluate(plan_stack(stack, project), load_config(project, stack))
    return [(v.policy, v.level, v.resource) for v in found]


@pytest.mark.parametrize(("project", "stack"), PROJECTS, ids=lambda x: getattr(x, "name", x))
def test_the_real_stacks_pass_every_policy(project: Path, stack: str) -> None:
    assert violations(project, stack) == []


def test_a_careless_production_stack_violates_each_production_policy_by_name(careless: Path) -> None:
    found = evaluate(plan_stack("production", careless), load_config(careless, "production"))

    assert [(v.policy, v.level, v.resource) for v in found] == [
        ("production-dyno-size", "mandatory", "web-formation-web"),
        ("production-web-dynos", "mandatory", "web-formation-web"),
        ("production-data-addons", "mandatory", "web-addon-heroku-postgresql"),
        ("production-data-addons", "mandatory", "web-addon-heroku-postgresql"),
        ("custom-domains-certificate", "mandatory", "web-domain-www.demo.example.com"),
        ("production-preboot", "mandatory", "web"),
    ]
    assert [v.message for v in found][:4] == [
        "web-formation-web: `web` runs on Basic dynos in production; use a professional size (standard-1x or "
        "larger: no sleeping, preboot, horizontal scaling), not eco, basic, hobby, free",
        "web-formation-web: 1 web dyno(s) in production; at least 2 so one can restart (daily cycling, deploys) "
        "while another serves",
        "demo-production-db: heroku-postgresql:essential-0 holds production data on a plan without high "
        "availability or continuous protection",
        "demo-production-db: production data add-on heroku-postgresql:essential-0 is not protected: `pulumi "
        "destroy` or a replacement would delete its data (set protect)",
    ]


def test_the_same_stack_named_staging_is_not_held_to_production_rules(write_stack: WriteStack) -> None:
    project = write_stack("staging", apps={"web": CARELESS})

    assert violations(project, "staging") == [
        ("custom-domains-certificate", "mandatory", "web-domain-www.demo.example.com")
    ]


def test_levels_and_thresholds_come_from_the_stacks_policy_config(careless: Path) -> None:
    (careless / "policy.production.json").write_text(
        json.dumps(
            {
                "production-web-dynos": {"enforcementLevel": "advisory", "minWebDynos": 1},
                "production-dyno-size": {"forbiddenSizes": ["eco"]},
                "custom-domains-certificate": "disabled",
                "production-preboot": "advisory",
            }
        )
    )

    assert violations(careless, "production") == [
        ("production-data-addons", "mandatory", "web-addon-heroku-postgresql"),
        ("production-data-addons", "mandatory", "web-addon-heroku-postgresql"),
        ("production-preboot", "advisory", "web"),
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"no-such-policy": "advisory"},
            "no-such-policy: is not a policy of this pack (policies: production-dyno-size,",
        ),
        ({"production-preboot": "loud"}, "production-preboot: enforcementLevel must be one of advisory, mandatory"),
        ({"production-preboot": 3}, "production-preboot: must be a level or an object of settings"),
    ],
)
def test_a_bad_policy_config_is_refused_naming_the_file_the_stack_and_the_key(
    careless: Path, config: dict[str, Any], message: str
) -> None:
    (careless / "policy.production.json").write_text(json.dumps(config))

    with pytest.raises(SpecError) as caught:
        load_config(careless, "production")

    assert str(caught.value).startswith(f'policy.production.json (stack "production"): {message}')


# --- policies the spec already refuses upstream, called directly as pulumi-policy's tests do ------


def policy(name: str) -> ResourceValidationPolicy:
    found = next(p for p in POLICIES if p.name == name)
    assert isinstance(found, ResourceValidationPolicy)
    return found


def resource_args(token: str, props: dict[str, Any], *, stack: str = "production", **config: Any) -> Any:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    urn = f"urn:pulumi:{stack}::demo::{token}::web-thing"
    return ResourceValidationArgs(token, props, urn, "web-thing", opts, None, config=config)


def reported(name: str, args: Any) -> list[str]:
    messages: list[str] = []
    policy(name).validate(args, lambda message, urn=None: messages.append(message))
    return messages


def test_plain_config_vars_that_carry_credentials_are_violations() -> None:
    props = {
        "configVars": {
            "DATABASE_URL": "postgres://app:hunter2@db.example.com/app",
            "STRIPE_SECRET_KEY": "sk_live_abc",
            "ACCESS_TOKEN_EXPIRE_MINUTES": "30",
            "LOG_LEVEL": "INFO",
        }
    }

    assert reported("no-plain-credentials", resource_args("heroku:app/app:App", props)) == [
        "web-thing: config var DATABASE_URL is plain (its value carries a credential); move it to sensitiveConfigVars",
        "web-thing: config var STRIPE_SECRET_KEY is plain (its name says it is a credential); move it to "
        "sensitiveConfigVars",
    ]


def test_a_drain_url_with_credentials_must_be_the_sensitive_url() -> None:
    with_token = resource_args("heroku:drain/drain:Drain", {"url": "https://logs.example.com/in?token=abc123"})
    sensitive = resource_args("heroku:drain/drain:Drain", {"sensitiveUrl": "https://logs.example.com/in?token=abc"})

    assert reported("no-plain-credentials", with_token) == [
        "web-thing: the drain URL carries credentials in `url`; set it as `sensitiveUrl`"
    ]
    assert reported("no-plain-credentials", sensitive) == []


def test_a_postgres_plan_change_is_a_warning_naming_the_manual_path() -> None:
    props = {"plan": "heroku-postgresql:standard-2", "name": "demo-db"}
    changed = resource_args("heroku:addon/addon:Addon", props, currentPlans={"demo-db": "heroku-postgresql:standard-0"})
    same = resource_args("heroku:addon/addon:Addon", props, currentPlans={"demo-db": "heroku-postgresql:standard-2"})

    (message,) = reported("postgres-plan-change", changed)
    assert message.startswith("demo-db: changing heroku-postgresql:standard-0 to heroku-postgresql:standard-2 is not")
    assert "docs/runbook.md" in message
    assert reported("postgres-plan-change", same) == []
    assert policy("postgres-plan-change").enforcement_level == EnforcementLevel.ADVISORY


def test_plan_prints_each_violation_with_its_level_and_exits_10_on_a_mandatory_one(
    careless: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["plan", "production", "--no-compare", "--project-dir", str(careless)])

    out = capsys.readouterr().out
    policies = out[out.index("Policies:") :].splitlines()
    assert code == ExitCode.POLICY_VIOLATION == 10
    assert policies[0] == "Policies: 6 violation(s)"
    assert [line.split(":", 1)[0].split() for line in policies[1:]] == [
        ["MANDATORY", "production-dyno-size"],
        ["MANDATORY", "production-web-dynos"],
        ["MANDATORY", "production-data-addons"],
        ["MANDATORY", "production-data-addons"],
        ["MANDATORY", "custom-domains-certificate"],
        ["MANDATORY", "production-preboot"],
    ]
