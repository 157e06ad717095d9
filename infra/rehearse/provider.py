"""What terraform-provider-heroku v5.2.10 (bundled by pulumiverse-heroku 1.0.4) sends for each resource type.

One function per type and operation turns the resolved inputs (Pulumi's camelCase names) into a
`Script`: the requests, the provider's waits, its read-backs, its sleeps. Sources: the provider's
Go source at tag v5.2.10 (`heroku/resource_heroku_*.go`; summarised in research heroku-api.md
§2-§3), read function by function:

* create: `resourceHeroku<Type>Create`, including the Read it ends with (most do);
* update: `resourceHeroku<Type>Update`, which sends only what changed (the App always PATCHes
  the app and its config vars, even `{}`), then reads back;
* delete: `resourceHeroku<Type>Delete`; formation and build deletes send nothing (Heroku has no
  such delete), a feature's delete disables it;
* which inputs force a replacement (`ForceNew` in the schema): `infra.plan.replacements`, which the
  plan's change report shares.

Each type accepts only the inputs it knows: an input the program starts declaring that the
rehearsal does not send stops the rehearsal before its first request, rather than deploying
something other than what the program declares. The program's own `ReleasePhase` dynamic
resource is here too, with exactly the requests its provider (`infra.program.release_phase`) sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.errors import RehearsalError
from infra.plan.model import DYNAMIC_PROVIDER_INPUT, PROVIDER_TYPE_PREFIX, PlannedResource
from infra.program import COMPONENT_TYPE
from infra.program.pipeline import STACK_REFERENCE_TYPE
from infra.program.release_phase import RELEASE_PHASE_TYPE
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
    team = i.get("organization")
    if team:  # resourceHerokuTeamAppCreate: team, personal and locked always sent, name too
        body: dict[str, Any] = {
            "team": team.get("name"),
            "personal": bool(team.get("personal", False)),
            "locked": bool(team.get("locked", False)),
            "name": i.get("name"),
        }
        body.update({k: i[k] for k in ("region", "stack") if i.get(k)})
        create = Call("POST", "/teams/apps", body, keep="app")
    else:
        create = Call("POST", "/apps", {k: i[k] for k in ("name", "region", "stack") if i.get(k)}, keep="app")
    steps: list[Step] = [
        create,
        Call("PATCH", "/apps/{app.id}/config-vars", {**plain, **sensitive}),  # always, even {}
        NewestRelease("/apps/{app.id}/releases", keep="release"),
        Poll(
            "/apps/{app.id}/releases/{release.id}", "status", RELEASE_PENDING, RELEASE_DONE, RELEASE_TIMEOUT, "release"
        ),
    ]
    if i.get("buildpacks"):
        steps.append(Call("PUT", "/apps/{app.id}/buildpack-installations", _buildpack_updates(i)))
    if i.get("acm"):
        steps.append(Call("POST", "/apps/{app.id}/acm"))
    steps += [*_app_read("{app.id}", team=bool(team)), Pause(o.post_app_create_delay, "post_app_create_delay")]
    return Script(tuple(steps), {"id": "{app.id}", "name": "{read.name}", "web_url": "{read.web_url}"})


def _app_read(app: str, *, team: bool) -> list[Step]:
    # resourceHerokuAppRead: the app (a team app, whose `team` and `organization` are set, also
    # /teams/apps for its team name and lock), its buildpacks, its config vars.
    return [
        Call("GET", f"/apps/{app}", keep="read"),
        *([Call("GET", f"/teams/apps/{app}")] if team else []),
        Call("GET", f"/apps/{app}/buildpack-installations", keep="buildpacks"),
        Call("GET", f"/apps/{app}/config-vars"),
    ]


def _buildpack_updates(i: Mapping[str, Any]) -> dict[str, Any]:
    return {"updates": [{"buildpack": b} for b in i.get("buildpacks") or []]}


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
    # resourceHerokuDomainCreate: the POST, then populateResource reads the app's ACM flag; no domain read-back.
    steps = (
        Call("POST", f"/apps/{app}/domains", body, keep="domain"),
        Call("GET", f"/apps/{app}"),
        Pause(o.post_domain_create_delay, "post_domain_create_delay"),
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
    # The provider stops once the build succeeded; its release may still be in its release phase
    # (the program's ReleasePhase waits for that).
    steps = (
        Call("POST", f"/apps/{app}/builds", body, keep="build"),
        Poll(build, "status", ("pending",), ("succeeded",), BUILD_TIMEOUT, "build"),
        Call("GET", build, keep="build"),
    )
    return Script(steps, {"id": "{build.id}", "releaseId": "{build.release.id}", "slugId": "{build.slug.id}"})


def _release_phase(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    # infra.program.release_phase.await_release: read the release until it succeeded.
    path = f"/apps/{i['appId']}/releases/{i['releaseId']}"
    timeout = float(i.get("timeoutSeconds", RELEASE_TIMEOUT))
    return Script((Poll(path, "status", RELEASE_PENDING, RELEASE_DONE, timeout, "release"),), {"id": i["releaseId"]})


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
    owner = i.get("owner")
    if owner:  # a team's pipeline: the owner block as given
        body = {"name": i["name"], "owner": {"id": owner["id"], "type": owner["type"]}}
        steps: tuple[Step, ...] = (Call("POST", "/pipelines", body, keep="pipeline"),)
    else:  # no `owner` block: the provider reads the account and makes it the owner
        steps = (
            Call("GET", "/account", keep="account"),
            Call(
                "POST",
                "/pipelines",
                {"name": i["name"], "owner": {"id": Kept("account", "id"), "type": "user"}},
                keep="pipeline",
            ),
        )
    return Script((*steps, Call("GET", "/pipelines/{pipeline.id}")), {"id": "{pipeline.id}"})


def _coupling(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    body = {"app": i["appId"], "pipeline": i["pipeline"], "stage": i["stage"]}
    steps = (
        Call("POST", "/pipeline-couplings", body, keep="coupling"),
        Call("GET", "/pipeline-couplings/{coupling.id}"),
    )
    return Script(steps, {"id": "{coupling.id}"})


# --- updates: (old inputs and id, new inputs, what changed) -> script -----------------------------


@dataclass(frozen=True)
class Change:
    """An in-place update: the resource's id and outputs, its inputs before and after, the inputs that differ."""

    id: str
    outputs: Mapping[str, Any]
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    changed: frozenset[str]


def _app_update(c: Change, o: ProviderOptions) -> Script:
    app, i = c.id, c.new
    body: dict[str, Any] = {}
    if "name" in c.changed:
        body["name"] = i["name"]
    if "stack" in c.changed:
        body["build_stack"] = i.get("stack")
    steps: list[Step] = [Call("PATCH", f"/apps/{app}", body)]  # always, even {}
    if "buildpacks" in c.changed:
        steps.append(Call("PUT", f"/apps/{app}/buildpack-installations", _buildpack_updates(i)))
    # updateConfigVars: each changed map's old keys set to null, then its new keys to their values.
    old_vars: dict[str, Any] = {}
    new_vars: dict[str, Any] = {}
    for key in ("configVars", "sensitiveConfigVars"):
        if key in c.changed:
            old_vars.update(dict(c.old.get(key) or {}))
            new_vars.update(dict(i.get(key) or {}))
    patch: dict[str, Any] = dict.fromkeys(old_vars)
    patch.update(new_vars)
    steps += [
        Call("PATCH", f"/apps/{app}/config-vars", patch),
        NewestRelease(f"/apps/{app}/releases", keep="release"),
        Poll(
            f"/apps/{app}/releases/{{release.id}}", "status", RELEASE_PENDING, RELEASE_DONE, RELEASE_TIMEOUT, "release"
        ),
    ]
    if "acm" in c.changed:
        steps.append(Call("POST" if i.get("acm") else "DELETE", f"/apps/{app}/acm"))
    team = i.get("organization")
    if "organization" in c.changed and team:  # only `locked` changes in place (name/personal replace)
        steps.append(Call("PATCH", f"/teams/apps/{app}", {"locked": bool(team.get("locked", False))}))
    steps += _app_read(app, team=bool(team))
    return Script(tuple(steps), {"id": app, "name": "{read.name}", "web_url": "{read.web_url}"})


def _addon_update(c: Change, o: ProviderOptions) -> Script:
    # AddOnUpdateOpts.Plan has no omitempty: "" when only the name changed.
    body: dict[str, Any] = {"plan": c.new["plan"] if "plan" in c.changed else ""}
    if "name" in c.changed:
        body["name"] = c.new.get("name")
    steps: list[Step] = [
        Call("PATCH", f"/apps/{c.new['appId']}/addons/{c.id}", body, keep="addon"),
        Call("GET", "/addons/{addon.id}"),
    ]
    if o.addon_config_vars_in_state:
        steps.append(Call("GET", f"/apps/{c.new['appId']}/config-vars"))
    return Script(tuple(steps), {"id": "{addon.id}"})


def _domain_update(c: Change, o: ProviderOptions) -> Script:
    app = c.new["appId"]
    steps = (
        Call("PATCH", f"/apps/{app}/domains/{c.id}", {"sni_endpoint": c.new.get("sniEndpointId") or ""}),
        Call("GET", f"/apps/{app}"),
    )
    return Script(steps, {"id": c.id})


def _feature_update(c: Change, o: ProviderOptions) -> Script:
    return _feature(c.new, o)  # resourceHerokuAppFeatureUpdate repeats the create when `enabled` changed


def _formation_update(c: Change, o: ProviderOptions) -> Script:
    app = c.new["appId"]
    body = {key: c.new[key] for key in ("size", "quantity") if key in c.changed and key in c.new}
    steps = (
        Call("GET", f"/apps/{app}"),
        Call("PATCH", f"/apps/{app}/formation/{c.new['type']}", body, keep="formation"),
        Call("GET", f"/apps/{app}/formation/{{formation.id}}"),
    )
    return Script(steps, {"id": "{formation.id}"})


def _pipeline_update(c: Change, o: ProviderOptions) -> Script:
    steps: list[Step] = []
    if "name" in c.changed:
        steps.append(Call("PATCH", f"/pipelines/{c.id}", {"name": c.new["name"]}))
    steps.append(Call("GET", f"/pipelines/{c.id}"))
    return Script(tuple(steps), {"id": c.id})


def _no_requests(c: Change, o: ProviderOptions) -> Script:
    return Script((), {"id": c.id, **{k: str(v) for k, v in c.outputs.items() if k != "id"}})


# --- deletes: (id, old inputs) -> script -----------------------------------------------------------


def _delete(path: str) -> Callable[[str, Mapping[str, Any]], Script]:
    def script(resource_id: str, old: Mapping[str, Any]) -> Script:
        return Script((Call("DELETE", path.format(id=resource_id, app=old.get("appId"))),), {})

    return script


def _collaborator(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    # resourceHerokuCollaboratorCreate: silent always true; then the Read.
    app = i["appId"]
    steps = (
        Call("POST", f"/apps/{app}/collaborators", {"silent": True, "user": i["email"]}, keep="collaborator"),
        Call("GET", f"/apps/{app}/collaborators/{{collaborator.id}}"),
    )
    return Script(steps, {"id": "{collaborator.id}"})


def _team_collaborator(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    # resourceHerokuTeamCollaboratorCreate, then its Read: the team endpoint for the user, the app
    # endpoint for the permissions (the Go client's team collaborator carries none).
    app = i["appId"]
    body = {"permissions": list(i.get("permissions") or []), "silent": True, "user": i["email"]}
    steps = (
        Call("POST", f"/teams/apps/{app}/collaborators", body, keep="collaborator"),
        *_team_collaborator_read(app, "{collaborator.id}"),
    )
    return Script(steps, {"id": "{collaborator.id}"})


def _team_collaborator_read(app: str, collaborator: str) -> tuple[Step, ...]:
    return (
        Call("GET", f"/teams/apps/{app}/collaborators/{collaborator}"),
        Call("GET", f"/apps/{app}/collaborators/{collaborator}"),
    )


def _team_collaborator_update(c: Change, o: ProviderOptions) -> Script:
    app, email = c.new["appId"], c.new["email"]
    body = {"permissions": list(c.new.get("permissions") or [])}
    steps = (
        Call("PATCH", f"/teams/apps/{app}/collaborators/{email}", body, keep="collaborator"),
        *_team_collaborator_read(app, "{collaborator.id}"),
    )
    return Script(steps, {"id": "{collaborator.id}"})


def _team_collaborator_delete(resource_id: str, old: Mapping[str, Any]) -> Script:
    # The DELETE, then GETs until the collaborator is gone (the provider retries for 10 s).
    app, email = old.get("appId"), old.get("email")
    steps = (
        Call("DELETE", f"/teams/apps/{app}/collaborators/{email}"),
        Call("GET", f"/teams/apps/{app}/collaborators/{resource_id}", absent_ok=True),
    )
    return Script(steps, {})


def _member(i: Mapping[str, Any], o: ProviderOptions) -> Script:
    # resourceHerokuTeamMemberSet (create and update alike), then the Read: the team's members by email.
    team = i["team"]
    body = {"email": i["email"], "federated": bool(i.get("federated", False)), "role": i["role"]}
    steps = (
        Call("PUT", f"/teams/{team}/members", body),
        Call("GET", f"/teams/{team}/members"),
    )
    return Script(steps, {"id": f"{team}:{i['email']}"})


def _member_update(c: Change, o: ProviderOptions) -> Script:
    return _member(c.new, o)


def _member_delete(resource_id: str, old: Mapping[str, Any]) -> Script:
    return Script((Call("DELETE", f"/teams/{old.get('team')}/members/{old.get('email')}"),), {})


def _feature_delete(resource_id: str, old: Mapping[str, Any]) -> Script:
    app, _, feature = resource_id.partition(":")  # the provider's composite id
    return Script((Call("PATCH", f"/apps/{app}/features/{feature}", {"enabled": False}),), {})


def _nothing(resource_id: str, old: Mapping[str, Any]) -> Script:
    return Script((), {})


Builder = Callable[[Mapping[str, Any], ProviderOptions], Script]
Updater = Callable[[Change, ProviderOptions], Script]
Deleter = Callable[[str, Mapping[str, Any]], Script]


@dataclass(frozen=True)
class ResourceType:
    """How the provider creates, updates and deletes one type (which inputs it cannot change in place:
    `infra.plan.replacements.FORCE_NEW`, shared with the plan)."""

    create: Builder
    required: frozenset[str]
    optional: frozenset[str]
    update: Updater | None  # None: every input forces a replacement (`infra.plan.replacements.FORCE_NEW`)
    delete: Deleter
    serialized: bool = False  # creates run one at a time across the whole provider (its add-on lock)


def _type(
    create: Builder,
    required: str,
    optional: str = "",
    *,
    update: Updater | None,
    delete: Deleter,
    serialized: bool = False,
) -> ResourceType:
    return ResourceType(create, frozenset(required.split()), frozenset(optional.split()), update, delete, serialized)


RESOURCE_TYPES: Mapping[str, ResourceType] = {
    "heroku:pipeline/pipeline:Pipeline": _type(
        _pipeline, "name", "owner", update=_pipeline_update, delete=_delete("/pipelines/{id}")
    ),
    "heroku:app/app:App": _type(
        _app,
        "name",
        "region stack buildpacks configVars sensitiveConfigVars acm organization",
        update=_app_update,
        delete=_delete("/apps/{id}"),
    ),
    "heroku:addon/addon:Addon": _type(
        _addon,
        "appId plan",
        "name config",
        update=_addon_update,
        delete=_delete("/apps/{app}/addons/{id}"),
        serialized=True,
    ),
    "heroku:addon/attachment:Attachment": _type(
        _attachment,
        "addonId appId",
        "name namespace",
        update=None,
        delete=_delete("/addon-attachments/{id}"),
    ),
    "heroku:domain/domain:Domain": _type(
        _domain,
        "appId hostname",
        "sniEndpointId",
        update=_domain_update,
        delete=_delete("/apps/{app}/domains/{id}"),
    ),
    "heroku:app/feature:Feature": _type(
        _feature, "appId name", "enabled", update=_feature_update, delete=_feature_delete
    ),
    "heroku:build/build:Build": _type(_build, "appId source", "buildpacks", update=None, delete=_nothing),
    "heroku:formation/formation:Formation": _type(
        _formation, "appId type quantity", "size", update=_formation_update, delete=_nothing
    ),
    "heroku:drain/drain:Drain": _type(
        _drain,
        "appId",
        "url sensitiveUrl",
        update=None,
        delete=_delete("/apps/{app}/log-drains/{id}"),
    ),
    "heroku:pipeline/coupling:Coupling": _type(
        _coupling,
        "appId pipeline stage",
        update=None,
        delete=_delete("/pipeline-couplings/{id}"),
    ),
    "heroku:collaborator/collaborator:Collaborator": _type(
        _collaborator, "appId email", update=None, delete=_delete("/apps/{app}/collaborators/{id}")
    ),
    "heroku:team/collaborator:Collaborator": _type(
        _team_collaborator,
        "appId email permissions",
        update=_team_collaborator_update,
        delete=_team_collaborator_delete,
    ),
    "heroku:team/member:Member": _type(
        _member, "team email role", "federated", update=_member_update, delete=_member_delete
    ),
    RELEASE_PHASE_TYPE: _type(
        _release_phase,
        "appId releaseId",
        "timeoutSeconds",
        update=_no_requests,
        delete=_nothing,
    ),
}

# The pipeline lookup (`getPipeline` data source): the provider reads the pipeline by name.
LOOKUP_SCRIPTS: Mapping[str, Callable[[Mapping[str, Any]], Script]] = {
    "heroku:team/getTeam:getTeam": lambda args: Script(
        (Call("GET", f"/teams/{args['name']}", keep="team"),), {"id": "{team.id}"}
    ),
    "heroku:pipeline/getPipeline:getPipeline": lambda args: Script(
        (Call("GET", f"/pipelines/{args['name']}", keep="pipeline"),), {"id": "{pipeline.id}"}
    ),
}


def sends_requests(resource: PlannedResource) -> bool:
    """False for what exists only in Pulumi (the provider, the app components) or is read from another stack."""
    return not (
        resource.type.startswith(PROVIDER_TYPE_PREFIX)
        or resource.type in (COMPONENT_TYPE, STACK_REFERENCE_TYPE)
        or resource.read
    )


def check_replayable(resource: PlannedResource) -> None:
    """RehearsalError unless the rehearsal knows this type and every input the plan gives it."""
    if resource.read and resource.type != STACK_REFERENCE_TYPE:
        raise RehearsalError(f"{resource.ref} is read from {resource.type}, which the rehearsal cannot read")
    if not sends_requests(resource):
        return
    known = RESOURCE_TYPES.get(resource.type)
    if known is None:
        raise RehearsalError(
            f"{resource.ref} has type {resource.type}, which the rehearsal cannot create; "
            f"it replays {', '.join(sorted(RESOURCE_TYPES))}"
        )
    given = set(resource.inputs) - {DYNAMIC_PROVIDER_INPUT}
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
    return RESOURCE_TYPES[resource.type].create(_without_provider(inputs), options)


def update_script(type_token: str, change: Change, options: ProviderOptions) -> Script:
    """The provider's requests to update a resource in place (only types with updatable inputs have one)."""
    updater = RESOURCE_TYPES[type_token].update
    if updater is None:
        raise RehearsalError(f"{type_token} has no in-place update: every change replaces it")
    return updater(change, options)


def delete_script(type_token: str, resource_id: str, old_inputs: Mapping[str, Any]) -> Script:
    """The provider's requests to delete a resource (none for formations and builds)."""
    return RESOURCE_TYPES[type_token].delete(resource_id, old_inputs)


def _without_provider(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k != DYNAMIC_PROVIDER_INPUT}
