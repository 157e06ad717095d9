"""The Pulumi program: a stack spec turned into `pulumiverse_heroku` resources.

`build(spec)` declares everything (one `HerokuApp` component per app key, an explicit
provider, the pipeline or its lookup) and returns `StackResources`; `export` publishes the
stack outputs. `infra/__main__.py` wires them for the engine; the offline plan runs the
same `build` under the SDK's mock engine.
"""

from infra.program.component import COMPONENT_TYPE, HerokuApp
from infra.program.deploy import deploy_warnings
from infra.program.pipeline import GET_PIPELINE_INVOKE, GET_TEAM_INVOKE, PipelineRef
from infra.program.provider import ProviderSettings, heroku_provider, settings_from_engine
from infra.program.secrets import PLAN_PLACEHOLDER, SecretInput, engine_secret, plan_secret
from infra.program.stack import OUTPUT_NAMES, StackResources, build, export

__all__ = [
    "COMPONENT_TYPE",
    "GET_PIPELINE_INVOKE",
    "GET_TEAM_INVOKE",
    "OUTPUT_NAMES",
    "PLAN_PLACEHOLDER",
    "HerokuApp",
    "PipelineRef",
    "ProviderSettings",
    "SecretInput",
    "StackResources",
    "build",
    "deploy_warnings",
    "engine_secret",
    "export",
    "heroku_provider",
    "plan_secret",
    "settings_from_engine",
]
