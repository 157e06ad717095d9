"""What terraform-provider-heroku v5.2.10 (bundled by pulumiverse-heroku 1.0.4) sends to create each resource.

One function per resource type turns the resolved inputs (Pulumi's camelCase names) into a
`Script`: the create request, the provider's waits, its read-back, its sleeps. Sources: research
heroku-api.md §2-§3 (the provider's source at tag v5.2.10) and, for `heroku_build`, the
provider's `resource_heroku_build.go` (POST the source blob, poll the build until `succeeded`,
read it once more). Each type accepts only the inputs it knows: an input the program starts
declaring that the rehearsal does not send stops the rehearsal before its first request, rather
than deploying something other than what the program declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.errors import RehearsalError
from infra.plan.model import PROVIDER_TYPE_PREFIX, PlannedResource
from infra.program import COMPONENT_TYPE
from infra.rehearse.steps import AwaitConfigVars, Call, Kept, NewestRelease, Pause, Poll, Script, Step

MINUTE = 60.0
RELEASE_TIMEOUT = 20 * MINUTE  # the provider's release wait after a config change
BUILD_TIMEOUT = 26 * 60 * MINUTE  # "until the build dyno cycles (22-26 hours)"
DRAIN_RETRY_FOR = 2 * MINUTE
LOG_CHANNEL_NOT_READY = "App hasn't yet been assigned a log channel. Please try again momentarily."
RELEASE_PENDING, RELEASE_DONE = ("pending",), ("succeeded",)


@dataclass(frozen=True)
class ProviderOptions:
    """The provider settings that change what it sends or how long it sleeps (the plan's Provider inputs)."""

    post_app_create_delay: float = 10.0
    post_domain_create_delay: float = 5.0
    addon_config_vars_in_state: bool = True
    addon_create_timeout: float = 20 * MINUTE

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> ProviderOptions:
        """Options from a `pulumi:providers:heroku` resource's inputs; the provider's defaults where unset."""
        delays = inputs.get("delays") or {}
        customizations = inputs.get("customizations") or [{}]
        timeouts = inputs.get("timeouts") or {}
        first = customizations[0] if customizations else {}
        return cls(
            post_app_create_delay=float(delays.get("postAppCreateDelay", cls.post_app_create_delay)),
            post_domain_create_delay=float(delays.get("postDomainCreateDelay", cls.post_domain_create_delay)),
            addon_config_vars_in_state=bool(first.get("setAddonConfigVarsInState", True)),
            addon_create_timeout=float(timeouts.get("addonCreateTimeout", 20)) * MINUTE,
        )


def _app(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    plain, sensitive = dict(i.get("configVars") or {}), dict(i.get("sensitiveConfigVars") or {})
    both = sorted(set(plain) & set(sensitive))
    if both:  # the provider refuses this before sending anything
        raise RehearsalError(f"config vars {', '.join(both)} are in both configVars and sensitiveConfigVars")
    steps: list[Step] = [
        Call("POST", "/apps", {k: i[k] for k in ("name", "region", "stack") if i.get(k)}, keep="app"),
        Call("PATCH", "/apps/{app.id}/config-vars", {**plain, **sensitive}),  # always, even {}
        NewestRelease("/apps/{app.id}/releases", keep="release"),
        Poll(
            "/apps/{app.id}/releases/{release.id}", "status", RELEASE_PENDING, RELEASE_DONE, RELEASE_TIMEOUT, "release"
        ),
    ]
    if i.get("buildpacks"):
        updates = [{"buildpack": b} for b in i["buildpacks"]]
        steps.append(Call("PUT", "/apps/{app.id}/buildpack-installations", {"updates": updates}))
    if i.get("acm"):
        steps.append(Call("POST", "/apps/{app.id}/acm"))
    steps += [
        Call("GET", "/apps/{app.id}", keep="read"),
        Call("GET", "/apps/{app.id}/buildpack-installations"),
        Call("GET", "/apps/{app.id}/config-vars"),
        Pause(o.post_app_create_delay, "post_app_create_delay"),
    ]
    return Script(tuple(steps), {"id": "{app.id}", "name": "{read.name}", "web_url": "{read.web_url}"})


def _addon(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    app = i["appId"]
    body: dict[str, Any] = {"plan": i["plan"], "confirm": Kept("app", "name")}
    if i.get("config"):
        body["config"] = dict(i["config"])
    if i.get("name"):
        body["name"] = i["name"]
    steps: list[Step] = [
        Call("GET", f"/apps/{app}", keep="app"),
        Call("POST", f"/apps/{app}/addons", body, keep="addon"),
        Poll(
            f"/apps/{app}/addons/{{addon.id}}",
            "state",
            ("provisioning",),
            ("provisioned",),
            o.addon_create_timeout,
            "add-on",
        ),
    ]
    if o.addon_config_vars_in_state:
        steps.append(
            AwaitConfigVars("/apps/{addon.app.id}/config-vars", Kept("addon", "config_vars"), o.addon_create_timeout)
        )
    steps.append(Call("GET", "/addons/{addon.id}"))
    if o.addon_config_vars_in_state:
        steps.append(Call("GET", "/apps/{addon.app.id}/config-vars"))
    return Script(tuple(steps), {"id": "{addon.id}"})


def _attachment(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    body = {"addon": i["addonId"], "app": i["appId"]}
    body.update({k: i[k] for k in ("name", "namespace") if i.get(k)})
    steps = (
        Call("POST", "/addon-attachments", body, keep="attachment"),
        Call("GET", "/addon-attachments/{attachment.id}"),
    )
    return Script(steps, {"id": "{attachment.id}"})


def _domain(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    app = i["appId"]
    body = {"hostname": i["hostname"], "sni_endpoint": i.get("sniEndpointId")}  # always sent, null allowed
    steps = (
        Call("POST", f"/apps/{app}/domains", body, keep="domain"),
        Call("GET", f"/apps/{app}"),  # the ACM flag
        Pause(o.post_domain_create_delay, "post_domain_create_delay"),
        Call("GET", f"/apps/{app}/domains/{{domain.id}}"),
        Call("GET", f"/apps/{app}"),
    )
    return Script(steps, {"id": "{domain.id}"})


def _feature(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    app = i["appId"]
    enabled = True if i.get("enabled") is None else bool(i["enabled"])
    steps = (
        Call("PATCH", f"/apps/{app}/features/{i['name']}", {"enabled": enabled}, keep="feature"),
        Call("GET", f"/apps/{app}/features/{{feature.id}}"),
    )
    return Script(steps, {"id": f"{app}:{{feature.id}}"})


def _build(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    app, source = i["appId"], dict(i["source"])
    if not source.get("url"):
        raise RehearsalError("a Build needs source.url (source.path uploads local files, which is not rehearsed)")
    blob = {k: source[k] for k in ("url", "version", "checksum") if source.get(k)}
    body: dict[str, Any] = {"source_blob": blob}
    if i.get("buildpacks"):
        body["buildpacks"] = [{"url": b} for b in i["buildpacks"]]
    build = f"/apps/{app}/builds/{{build.id}}"
    steps = (
        Call("POST", f"/apps/{app}/builds", body, keep="build"),
        Poll(build, "status", ("pending",), ("succeeded",), BUILD_TIMEOUT, "build"),
        Call("GET", build, keep="build"),
        # Not the provider: it moves on once the build succeeded, and a formation that follows while
        # the build's release is still in its release phase fails with 404 until the next `pulumi up`.
        # The rehearsal waits, so the sandbox's release delay does not fail every first deploy.
        Poll(
            f"/apps/{app}/releases/{{build.release.id}}",
            "status",
            RELEASE_PENDING,
            RELEASE_DONE,
            RELEASE_TIMEOUT,
            "release",
            by_provider=False,
        ),
    )
    return Script(steps, {"id": "{build.id}"})


def _formation(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    app = i["appId"]
    body: dict[str, Any] = {"quantity": i["quantity"]}
    if i.get("size"):
        body["size"] = i["size"]
    steps = (
        Call("GET", f"/apps/{app}"),
        Call("PATCH", f"/apps/{app}/formation/{i['type']}", body, keep="formation"),
        Call("GET", f"/apps/{app}/formation/{{formation.id}}"),  # read back by id, not by type
    )
    return Script(steps, {"id": "{formation.id}"})


def _drain(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    app = i["appId"]
    url = i.get("url") or i.get("sensitiveUrl")
    if not url:
        raise RehearsalError("a Drain needs url or sensitiveUrl")
    steps = (
        Call(
            "POST",
            f"/apps/{app}/log-drains",
            {"url": url},
            keep="drain",
            retry_while=LOG_CHANNEL_NOT_READY,
            retry_for=DRAIN_RETRY_FOR,
        ),
        Call("GET", f"/apps/{app}/log-drains/{{drain.id}}"),
    )
    return Script(steps, {"id": "{drain.id}"})


def _pipeline(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    # No `owner` block: the provider reads the account and makes it the owner.
    steps = (
        Call("GET", "/account", keep="account"),
        Call(
            "POST",
            "/pipelines",
            {"name": i["name"], "owner": {"id": Kept("account", "id"), "type": "user"}},
            keep="pipeline",
        ),
        Call("GET", "/pipelines/{pipeline.id}"),
    )
    return Script(steps, {"id": "{pipeline.id}"})


def _coupling(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    body = {"app": i["appId"], "pipeline": i["pipeline"], "stage": i["stage"]}
    steps = (
        Call("POST", "/pipeline-couplings", body, keep="coupling"),
        Call("GET", "/pipeline-couplings/{coupling.id}"),
    )
    return Script(steps, {"id": "{coupling.id}"})


Builder = Callable[[Mapping[str, Any], ProviderOptions], Script]


@dataclass(frozen=True)
class ResourceType:
    build: Builder
    required: frozenset[str]
    optional: frozenset[str] = frozenset()


def _type(build: Builder, required: str, optional: str = "") -> ResourceType:
    return ResourceType(build, frozenset(required.split()), frozenset(optional.split()))


RESOURCE_TYPES: Mapping[str, ResourceType] = {
    "heroku:pipeline/pipeline:Pipeline": _type(_pipeline, "name"),
    "heroku:app/app:App": _type(_app, "name", "region stack buildpacks configVars sensitiveConfigVars acm"),
    "heroku:addon/addon:Addon": _type(_addon, "appId plan", "name config"),
    "heroku:addon/attachment:Attachment": _type(_attachment, "addonId appId", "name namespace"),
    "heroku:domain/domain:Domain": _type(_domain, "appId hostname", "sniEndpointId"),
    "heroku:app/feature:Feature": _type(_feature, "appId name", "enabled"),
    "heroku:build/build:Build": _type(_build, "appId source", "buildpacks"),
    "heroku:formation/formation:Formation": _type(_formation, "appId type quantity", "size"),
    "heroku:drain/drain:Drain": _type(_drain, "appId", "url sensitiveUrl"),
    "heroku:pipeline/coupling:Coupling": _type(_coupling, "appId pipeline stage"),
}

# The pipeline lookup (`getPipeline` data source): the provider reads the pipeline by name.
LOOKUP_SCRIPTS: Mapping[str, Callable[[Mapping[str, Any]], Script]] = {
    "heroku:pipeline/getPipeline:getPipeline": lambda args: Script(
        (Call("GET", f"/pipelines/{args['name']}", keep="pipeline"),), {"id": "{pipeline.id}"}
    ),
}


def sends_requests(resource: PlannedResource) -> bool:
    """False for what exists only in Pulumi: the provider resource and the app components."""
    return not (resource.type.startswith(PROVIDER_TYPE_PREFIX) or resource.type == COMPONENT_TYPE)


def check_replayable(resource: PlannedResource) -> None:
    """RehearsalError unless the rehearsal knows this type and every input the plan gives it."""
    if not sends_requests(resource):
        return
    known = RESOURCE_TYPES.get(resource.type)
    if known is None:
        raise RehearsalError(
            f"{resource.ref} has type {resource.type}, which the rehearsal cannot create; "
            f"it replays {', '.join(sorted(t.rsplit(':', 1)[-1] for t in RESOURCE_TYPES))}"
        )
    given = set(resource.inputs)
    missing = sorted(known.required - given)
    unknown = sorted(given - known.required - known.optional)
    if missing:
        raise RehearsalError(f"{resource.ref} lacks the input(s) {', '.join(missing)} the provider requires")
    if unknown:
        raise RehearsalError(
            f"{resource.ref} declares {', '.join(unknown)}, which the rehearsal does not send; "
            "teach infra/rehearse/provider.py that input before rehearsing"
        )


def script_for(resource: PlannedResource, inputs: Mapping[str, Any], options: ProviderOptions) -> Script:
    """The provider's requests to create `resource` from its resolved `inputs` (see `check_replayable`)."""
    check_replayable(resource)
    return RESOURCE_TYPES[resource.type].build(inputs, options)
