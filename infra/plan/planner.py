"""The offline plan of a stack: the real `build` under the mock engine, from the stack file alone.

Nothing here needs the Pulumi CLI, the Heroku provider plugin, an account or the network.
Secrets stay encrypted (`plan_secret` stands in for them). The provider settings come
from the stack file's `heroku:url` and `heroku:apiKey` entries, the same keys the engine
would read; the environment (`HEROKU_API_KEY`, `HEROKU_API_URL`) is not consulted, so the
plan of a stack is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from infra.plan.engine import run_program
from infra.plan.model import Plan
from infra.program import (
    GET_PIPELINE_INVOKE,
    GET_TEAM_INVOKE,
    OUTPUT_NAMES,
    PLAN_PLACEHOLDER,
    ProviderSettings,
    build,
    plan_secret,
)
from infra.program.provider import normalise_url
from infra.spec import load_stack
from infra.spec.loader import stack_file
from infra.spec.models import StackSpec
from infra.spec.yaml_source import read_yaml


def plan_stack(stack: str, project_dir: Path) -> Plan:
    """The plan of `Pulumi.<stack>.yaml` in `project_dir`; SpecError if the stack is invalid or unknown."""
    spec = load_stack(stack, project_dir)
    return plan_spec(spec, provider=provider_settings_from_file(stack, project_dir))


def plan_spec(spec: StackSpec, *, provider: ProviderSettings | None = None) -> Plan:
    """The plan of an already loaded spec; PlanError if the program fails under the mock engine."""
    settings = provider if provider is not None else ProviderSettings()
    run = run_program(
        lambda: build(spec, provider_settings=settings, secret_input=plan_secret),
        project=spec.project,
        stack=spec.stack,
        lookups=PLAN_LOOKUPS,
    )
    return Plan.from_run(spec, run, outputs=OUTPUT_NAMES)


def provider_settings_from_file(stack: str, project_dir: Path) -> ProviderSettings:
    """`heroku:url` and whether `heroku:apiKey` is set, from the stack file (the key stays encrypted)."""
    path = stack_file(project_dir, stack)
    document = read_yaml(path, stack=stack)
    config: Mapping[str, Any] = {}
    if isinstance(document, dict) and isinstance(document.get("config"), dict):
        config = document["config"]
    url = config.get("heroku:url")
    has_key = config.get("heroku:apiKey") is not None
    return ProviderSettings(
        api_key=PLAN_PLACEHOLDER if has_key else None,
        url=normalise_url(str(url), source=f"{path.name}: heroku:url") if url else None,
    )


def pipeline_lookup(args: Mapping[str, Any]) -> dict[str, Any]:
    """What the plan's `getPipeline` returns: placeholders saying the value is only known at `pulumi up`."""
    name = args.get("name")
    return {
        "id": f"(id of the existing pipeline {name!r}, looked up by name at `pulumi up`)",
        "name": name,
        "ownerId": "(owner of the pipeline)",
        "ownerType": "user",
    }


# The plan's answer to each data source the program reads, by invoke token. Public so that a tool
# replaying the plan (`infra.rehearse`) can tell a looked-up placeholder from a literal input.
def team_lookup(args: Mapping[str, Any]) -> dict[str, Any]:
    """What the plan's `getTeam` returns: the team's id is only known at `pulumi up`."""
    name = args.get("name")
    return {"id": f"(id of the Heroku Team {name!r}, looked up by name at `pulumi up`)", "name": name}


PLAN_LOOKUPS: Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    GET_PIPELINE_INVOKE: pipeline_lookup,
    GET_TEAM_INVOKE: team_lookup,
}
