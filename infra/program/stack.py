"""`build(spec)`: a whole stack's resources, and the outputs `pulumi up` exports.

The same function runs under the Pulumi engine (`infra/__main__.py`) and under the SDK's
mock engine (the offline plan and the tests); only the secret handling and the provider
settings are injected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumiverse_heroku as heroku

from infra.program import naming
from infra.program.component import HerokuApp
from infra.program.deploy import deploy_warnings
from infra.program.pipeline import PipelineRef, pipeline_for
from infra.program.provider import ProviderSettings, heroku_provider, settings_from_engine
from infra.program.secrets import SecretInput, engine_secret
from infra.spec.manifest import manifest
from infra.spec.models import StackSpec

OUTPUT_NAMES = ("apps", "pipeline", "manifest")


@dataclass(frozen=True)
class StackResources:
    """What `build` created: the provider, the pipeline reference and one component per app key."""

    spec: StackSpec
    provider: heroku.Provider
    pipeline: PipelineRef
    apps: Mapping[str, HerokuApp]
    warnings: tuple[str, ...]
    team_members: Mapping[str, heroku.team.Member]

    def outputs(self) -> dict[str, Any]:
        """The stack outputs, by name (`OUTPUT_NAMES`).

        `apps`: per app key its Heroku `id`, `name` and `web_url`; `pipeline`: its `name` and `id`;
        `manifest`: the expected state as plain JSON with secret fingerprints, which the verifier
        reads with `pulumi stack output manifest --json`.
        """
        return {
            "apps": {
                key: {"id": c.app.id, "name": c.app.name, "web_url": c.app.web_url} for key, c in self.apps.items()
            },
            "pipeline": {"name": self.spec.pipeline, "id": self.pipeline.id},
            "manifest": manifest(self.spec).document(),
        }


def build(
    spec: StackSpec,
    *,
    provider_settings: ProviderSettings | None = None,
    secret_input: SecretInput = engine_secret,
) -> StackResources:
    """Declare every resource of `spec` with Pulumi; provider settings default to the engine's config."""
    settings = provider_settings if provider_settings is not None else settings_from_engine()
    provider = heroku_provider(settings, addon_create_timeout_minutes=spec.addon_create_timeout)
    pipeline = pipeline_for(spec, provider)
    apps = {
        key: HerokuApp(
            key,
            spec,
            pipeline_id=pipeline.id,
            secret_input=secret_input,
            opts=pulumi.ResourceOptions(providers=[provider]),
        )
        for key in spec.apps
    }
    members = team_members(spec, provider)
    warnings = tuple(deploy_warnings(spec))
    for warning in warnings:
        pulumi.log.warn(warning)
    return StackResources(
        spec=spec, provider=provider, pipeline=pipeline, apps=apps, warnings=warnings, team_members=members
    )


def team_members(spec: StackSpec, provider: heroku.Provider) -> dict[str, heroku.team.Member]:
    """The team's members and roles, when this stack (the pipeline owner) manages them."""
    if spec.team is None:
        return {}
    return {
        email: heroku.team.Member(
            naming.team_member(email),
            team=spec.team.name,
            email=email,
            role=role,
            opts=pulumi.ResourceOptions(provider=provider),
        )
        for email, role in spec.team.members.items()
    }


def export(resources: StackResources) -> None:
    """Export every stack output of `resources` (call once, from the program's entry point)."""
    for name, value in resources.outputs().items():
        pulumi.export(name, value)
