"""Plans written by hand, for the rehearsal's pure parts (ordering, references, inputs)."""

from __future__ import annotations

from typing import Any

from infra.plan.model import Plan, PlannedResource

TYPES = {
    "Provider": "pulumi:providers:heroku",
    "HerokuApp": "heroku-stack:index:HerokuApp",
    "Pipeline": "heroku:pipeline/pipeline:Pipeline",
    "App": "heroku:app/app:App",
    "Addon": "heroku:addon/addon:Addon",
    "Attachment": "heroku:addon/attachment:Attachment",
    "Domain": "heroku:domain/domain:Domain",
    "Feature": "heroku:app/feature:Feature",
    "Build": "heroku:build/build:Build",
    "Formation": "heroku:formation/formation:Formation",
    "Drain": "heroku:drain/drain:Drain",
    "Coupling": "heroku:pipeline/coupling:Coupling",
    "ReleasePhase": "pulumi-python:dynamic/heroku-stack:ReleasePhase",
    "StackReference": "pulumi:pulumi:StackReference",
}


def planned(
    kind: str,
    logical_name: str,
    *,
    app: str | None = None,
    inputs: dict[str, Any] | None = None,
    after: tuple[str, ...] = (),
    name: str | None = None,
    provider: str | None = "Provider heroku",
) -> PlannedResource:
    return PlannedResource(
        type=TYPES.get(kind, f"heroku:other/{kind.lower()}:{kind}"),
        kind=kind,
        logical_name=logical_name,
        name=name or logical_name,
        app=app,
        role=kind.lower(),
        inputs=inputs or {},
        protect=False,
        ignore_changes=(),
        after=after,
        provider=None if kind == "Provider" else provider,
    )


def plan_of(*resources: PlannedResource) -> Plan:
    return Plan(
        project="demo",
        stack="staging",
        stage="staging",
        pipeline="demo",
        pipeline_owner="staging",
        owns_pipeline=True,
        apps=("web",),
        resources=resources,
        lookups=(),
        outputs=("apps", "pipeline", "manifest"),
        warnings=(),
    )
