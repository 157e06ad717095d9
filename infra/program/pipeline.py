"""The pipeline both stacks couple to: one stack owns it, the others reference it.

The stack whose `stage` equals `pipeline_owner` (staging by default) creates the pipeline,
`protect`ed: `pulumi destroy` of that stack then stops at the pipeline instead of deleting
it from under production's coupling. Every other stack needs the pipeline's id, two ways:

* `stack-reference` (the default): the owner stack's `pipeline` output, through a
  `pulumi.StackReference` to ``<organization>/<project>/<owner stack>``. It does not depend on
  Heroku's name lookup, so it works whatever state the pipeline's couplings are in.
* `name`: the provider's `getPipeline` data source, `GET /pipelines/{name}`. Heroku resolves a
  pipeline's name only while an app is coupled to it (pulumiverse `pipeline.get_pipeline`
  docs): after the owner uncoupled or replaced its app, the lookup fails. For stacks that
  cannot read the owner's state (another Pulumi organization or backend).

Either way the owner stack is `pulumi up`-ed first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumiverse_heroku as heroku

from infra.program import naming
from infra.spec.models import StackSpec

GET_PIPELINE_INVOKE = "heroku:pipeline/getPipeline:getPipeline"
GET_TEAM_INVOKE = "heroku:team/getTeam:getTeam"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
PIPELINE_OUTPUT = "pipeline"


@dataclass(frozen=True)
class PipelineRef:
    """The pipeline's id for couplings, and the resource when this stack owns it."""

    id: pulumi.Output[str]
    resource: heroku.pipeline.Pipeline | None


def stack_reference_name(spec: StackSpec) -> str:
    """The owner stack's fully qualified name (``<organization>/<project>/<stack>``), as StackReference wants it."""
    owner = spec.pipeline_stack or ""
    return owner if owner.count("/") == 2 else f"{pulumi.get_organization()}/{spec.project}/{owner}"


def pipeline_for(spec: StackSpec, provider: heroku.Provider) -> PipelineRef:
    """Create the pipeline (owner stack), or reference the owner's (every other stack)."""
    if spec.owns_pipeline:
        # A team's pipeline names the team as its owner (the provider needs its id: `getTeam`);
        # without an owner block the provider makes the API key's account the owner.
        team_owner = None
        if spec.team is not None:
            team = heroku.team.get_team_output(name=spec.team.name, opts=pulumi.InvokeOutputOptions(provider=provider))
            team_owner = heroku.pipeline.PipelineOwnerArgs(id=team.id, type="team")
        pipeline = heroku.pipeline.Pipeline(
            naming.PIPELINE,
            name=spec.pipeline,
            owner=team_owner,
            opts=pulumi.ResourceOptions(provider=provider, protect=True),
        )
        return PipelineRef(id=pipeline.id, resource=pipeline)
    if spec.pipeline_lookup == "stack-reference":
        owner = pulumi.StackReference(stack_reference_name(spec))
        return PipelineRef(id=owner.require_output(PIPELINE_OUTPUT).apply(_pipeline_id), resource=None)
    found = heroku.pipeline.get_pipeline_output(name=spec.pipeline, opts=pulumi.InvokeOutputOptions(provider=provider))
    return PipelineRef(id=found.id, resource=None)


def _pipeline_id(output: Any) -> str:
    # The owner exports {"name": ..., "id": ...} (`StackResources.outputs`).
    return str(output["id"])
