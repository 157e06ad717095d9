"""The pipeline both stacks couple to: one stack owns it, the others look it up by name.

The stack whose `stage` equals `pipeline_owner` (staging by default) creates the pipeline,
`protect`ed: `pulumi destroy` of that stack then stops at the pipeline instead of deleting
it from under production's coupling. Every other stack reads it with the provider's
`getPipeline` data source. Heroku can find a pipeline by name only once an app is coupled
to it (pulumiverse `pipeline.get_pipeline` docs), which the owner's `pulumi up` does: so
`pulumi up` the owner stack first.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumiverse_heroku as heroku

from infra.program import naming
from infra.spec.models import StackSpec

GET_PIPELINE_INVOKE = "heroku:pipeline/getPipeline:getPipeline"


@dataclass(frozen=True)
class PipelineRef:
    """The pipeline's id for couplings, and the resource when this stack owns it."""

    id: pulumi.Output[str]
    resource: heroku.pipeline.Pipeline | None


def pipeline_for(spec: StackSpec, provider: heroku.Provider) -> PipelineRef:
    """Create the pipeline (owner stack) or look it up by name (every other stack)."""
    if spec.owns_pipeline:
        pipeline = heroku.pipeline.Pipeline(
            naming.PIPELINE,
            name=spec.pipeline,
            opts=pulumi.ResourceOptions(provider=provider, protect=True),
        )
        return PipelineRef(id=pipeline.id, resource=pipeline)
    found = heroku.pipeline.get_pipeline_output(name=spec.pipeline, opts=pulumi.InvokeOutputOptions(provider=provider))
    return PipelineRef(id=found.id, resource=None)
