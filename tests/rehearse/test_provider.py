"""The requests each planned resource maps to: terraform-provider-heroku v5.2.10's, per resource type."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import RehearsalError
from infra.plan import plan_stack
from infra.plan.replacements import replaced_by
from infra.rehearse import ProviderOptions, script_for
from infra.rehearse.provider import (
    BUILD_TIMEOUT,
    LOG_CHANNEL_NOT_READY,
    RELEASE_TIMEOUT,
    Change,
    check_replayable,
    delete_script,
    update_script,
)
from infra.rehearse.steps import AwaitConfigVars, Call, Kept, NewestRelease, Pause, Poll, Script
from tests.rehearse.helpers import planned

APP = "01234567-89ab-cdef-0123-456789abcdef"
ON_LOOPBACK = ProviderOptions(post_app_create_delay=0, post_domain_create_delay=0, addon_config_vars_in_state=False)


def script(kind: str, inputs: dict[str, object], options: ProviderOptions = ON_LOOPBACK) -> Script:
    return script_for(planned(kind, "x", app="web", inputs=inputs), inputs, options)


def test_the_stacks_provider_options_come_from_the_plan_and_default_to_the_providers(project_dir: Path) -> None:
    provider = plan_stack("staging", project_dir).resources[0]

    assert ProviderOptions.from_inputs(provider.inputs) == ProviderOptions(
        post_app_create_delay=10,
        post_domain_create_delay=5,
        addon_config_vars_in_state=False,
        addon_create_timeout=3600,
    )
    assert ProviderOptions.from_inputs({"delays": {"postAppCreateDelay": 0, "postDomainCreateDelay": 0}}) == (
        ProviderOptions(post_app_create_delay=0, post_domain_create_delay=0, addon_config_vars_in_state=True)
    )


def test_an_app_is_created_configured_released_and_read_back() -> None:
    inputs = {
        "name": "shop-staging",
        "region": "us",
        "stack": "heroku-24",
        "buildpacks": ["heroku/python"],
        "configVars": {"APP_ENV": "staging"},
        "sensitiveConfigVars": {"SECRET_KEY": "s3cr3t"},
        "acm": True,
    }

    made = script("App", inputs, ProviderOptions())

    assert made.steps == (
        Call("POST", "/apps", {"name": "shop-staging", "region": "us", "stack": "heroku-24"}, keep="app"),
        Call("PATCH", "/apps/{app.id}/config-vars", {"APP_ENV": "staging", "SECRET_KEY": "s3cr3t"}),
        NewestRelease("/apps/{app.id}/releases", keep="release"),
        Poll(
            "/apps/{app.id}/releases/{release.id}", "status", ("pending",), ("succeeded",), RELEASE_TIMEOUT, "release"
        ),
        Call("PUT", "/apps/{app.id}/buildpack-installations", {"updates": [{"buildpack": "heroku/python"}]}),
        Call("POST", "/apps/{app.id}/acm"),
        Call("GET", "/apps/{app.id}", keep="read"),
        Call("GET", "/apps/{app.id}/buildpack-installations", keep="buildpacks"),
        Call("GET", "/apps/{app.id}/config-vars"),
        Pause(10.0, "post_app_create_delay"),
    )
    assert made.outputs == {"id": "{app.id}", "name": "{read.name}", "web_url": "{read.web_url}"}


def test_an_app_with_no_config_still_sends_an_empty_config_patch_and_skips_buildpacks_and_acm() -> None:
    made = script("App", {"name": "shop-staging", "acm": False, "buildpacks": []})

    assert [(s.method, s.path, s.body) for s in made.steps if isinstance(s, Call)] == [
        ("POST", "/apps", {"name": "shop-staging"}),
        ("PATCH", "/apps/{app.id}/config-vars", {}),
        ("GET", "/apps/{app.id}", None),
        ("GET", "/apps/{app.id}/buildpack-installations", None),
        ("GET", "/apps/{app.id}/config-vars", None),
    ]


def test_a_var_both_plain_and_sensitive_is_refused_as_the_provider_does() -> None:
    with pytest.raises(RehearsalError) as caught:
        script("App", {"name": "a-b", "configVars": {"K": "1"}, "sensitiveConfigVars": {"K": "2"}})

    assert str(caught.value) == "config vars K are in both configVars and sensitiveConfigVars"


def test_an_addon_reads_the_app_for_its_name_creates_and_polls_until_provisioned() -> None:
    made = script("Addon", {"appId": APP, "plan": "heroku-redis:mini", "name": "shop-redis", "config": {"v": "7"}})

    assert made.steps == (
        Call("GET", f"/apps/{APP}", keep="app"),
        Call(
            "POST",
            f"/apps/{APP}/addons",
            {"plan": "heroku-redis:mini", "confirm": Kept("app", "name"), "config": {"v": "7"}, "name": "shop-redis"},
            keep="addon",
        ),
        Poll(f"/apps/{APP}/addons/{{addon.id}}", "state", ("provisioning",), ("provisioned",), 1200.0, "add-on"),
        Call("GET", "/addons/{addon.id}"),
    )


def test_with_addon_config_vars_in_state_the_provider_also_waits_for_the_vars_and_reads_them() -> None:
    made = script("Addon", {"appId": APP, "plan": "heroku-redis:mini"}, ProviderOptions())

    assert made.steps[2:] == (
        Poll(f"/apps/{APP}/addons/{{addon.id}}", "state", ("provisioning",), ("provisioned",), 1200.0, "add-on"),
        AwaitConfigVars("/apps/{addon.app.id}/config-vars", Kept("addon", "config_vars"), 1200.0),
        Call("GET", "/addons/{addon.id}"),
        Call("GET", "/apps/{addon.app.id}/config-vars"),
    )


def test_a_domain_always_sends_sni_endpoint_reads_the_apps_acm_flag_and_sleeps_without_reading_it_back() -> None:
    made = script("Domain", {"appId": APP, "hostname": "www.example.com"}, ProviderOptions())

    assert made.steps == (
        Call("POST", f"/apps/{APP}/domains", {"hostname": "www.example.com", "sni_endpoint": None}, keep="domain"),
        Call("GET", f"/apps/{APP}"),
        Pause(5.0, "post_domain_create_delay"),
    )


def test_a_build_posts_the_source_blob_polls_until_it_succeeded_and_never_waits_for_its_release() -> None:
    source = {"url": "https://example.com/v1.tar.gz", "version": "v1"}

    made = script("Build", {"appId": APP, "source": source})

    assert made.steps == (
        Call("POST", f"/apps/{APP}/builds", {"source_blob": source}, keep="build"),
        Poll(f"/apps/{APP}/builds/{{build.id}}", "status", ("pending",), ("succeeded",), BUILD_TIMEOUT, "build"),
        Call("GET", f"/apps/{APP}/builds/{{build.id}}", keep="build"),
    )
    assert made.outputs == {"id": "{build.id}", "releaseId": "{build.release.id}", "slugId": "{build.slug.id}"}


def test_the_release_phase_wait_reads_the_release_until_it_succeeded_within_its_timeout() -> None:
    made = script("ReleasePhase", {"appId": APP, "releaseId": "r-id", "timeoutSeconds": 600, "__provider": "x"})

    assert made.steps == (Poll(f"/apps/{APP}/releases/r-id", "status", ("pending",), ("succeeded",), 600.0, "release"),)
    assert made.outputs == {"id": "r-id"}


def test_a_formation_is_scaled_by_type_and_read_back_by_id() -> None:
    made = script("Formation", {"appId": APP, "type": "web", "quantity": 2, "size": "Standard-2X"})

    assert made.steps == (
        Call("GET", f"/apps/{APP}"),
        Call("PATCH", f"/apps/{APP}/formation/web", {"quantity": 2, "size": "Standard-2X"}, keep="formation"),
        Call("GET", f"/apps/{APP}/formation/{{formation.id}}"),
    )


def test_features_drains_pipelines_couplings_and_attachments_map_to_their_create_and_read() -> None:
    scripts = [
        script("Feature", {"appId": APP, "name": "preboot", "enabled": True}),
        script("Drain", {"appId": APP, "sensitiveUrl": "https://t@logs.example.com/x"}),
        script("Pipeline", {"name": "shop"}),
        script("Coupling", {"appId": APP, "pipeline": "p-id", "stage": "staging"}),
        script("Attachment", {"addonId": "a-id", "appId": APP, "name": "CACHE"}),
    ]

    assert [s.steps for s in scripts] == [
        (
            Call("PATCH", f"/apps/{APP}/features/preboot", {"enabled": True}, keep="feature"),
            Call("GET", f"/apps/{APP}/features/{{feature.id}}"),
        ),
        (
            Call(
                "POST",
                f"/apps/{APP}/log-drains",
                {"url": "https://t@logs.example.com/x"},
                keep="drain",
                retry_while=LOG_CHANNEL_NOT_READY,
                retry_for=120.0,
            ),
            Call("GET", f"/apps/{APP}/log-drains/{{drain.id}}"),
        ),
        (
            Call("GET", "/account", keep="account"),
            Call(
                "POST",
                "/pipelines",
                {"name": "shop", "owner": {"id": Kept("account", "id"), "type": "user"}},
                keep="pipeline",
            ),
            Call("GET", "/pipelines/{pipeline.id}"),
        ),
        (
            Call("POST", "/pipeline-couplings", {"app": APP, "pipeline": "p-id", "stage": "staging"}, keep="coupling"),
            Call("GET", "/pipeline-couplings/{coupling.id}"),
        ),
        (
            Call("POST", "/addon-attachments", {"addon": "a-id", "app": APP, "name": "CACHE"}, keep="attachment"),
            Call("GET", "/addon-attachments/{attachment.id}"),
        ),
    ]
    assert scripts[0].outputs == {"id": f"{APP}:{{feature.id}}"}


def test_a_secret_body_never_shows_in_a_steps_repr() -> None:
    made = script("App", {"name": "a-b", "sensitiveConfigVars": {"SECRET_KEY": "s3cr3t"}})

    assert "s3cr3t" not in repr(made)


def test_an_input_the_rehearsal_does_not_send_is_refused_before_any_request() -> None:
    app = planned("App", "web", inputs={"name": "a-b", "space": "my-space"})

    with pytest.raises(RehearsalError) as caught:
        check_replayable(app)

    assert str(caught.value) == (
        "App web declares space, which the rehearsal does not send; "
        "teach infra/rehearse/provider.py that input before rehearsing"
    )


def test_a_resource_type_the_rehearsal_does_not_know_is_refused() -> None:
    with pytest.raises(RehearsalError) as caught:
        check_replayable(planned("Webhook", "web-hook", inputs={"appId": "<App web>"}))

    assert str(caught.value) == (
        "Webhook web-hook has type heroku:other/webhook:Webhook, which the rehearsal cannot create; it replays "
        "heroku:addon/addon:Addon, heroku:addon/attachment:Attachment, heroku:app/app:App, heroku:app/feature:Feature, "
        "heroku:build/build:Build, heroku:collaborator/collaborator:Collaborator, heroku:domain/domain:Domain, "
        "heroku:drain/drain:Drain, heroku:formation/formation:Formation, heroku:pipeline/coupling:Coupling, "
        "heroku:pipeline/pipeline:Pipeline, heroku:team/collaborator:Collaborator, heroku:team/member:Member, "
        "pulumi-python:dynamic/heroku-stack:ReleasePhase"
    )


def test_a_missing_required_input_is_refused() -> None:
    with pytest.raises(RehearsalError) as caught:
        check_replayable(planned("Formation", "web-f", inputs={"appId": "<App web>", "type": "web"}))

    assert str(caught.value) == "Formation web-f lacks the input(s) quantity the provider requires"


def test_every_resource_of_both_real_stacks_is_replayable(project_dir: Path) -> None:
    resources = [r for stack in ("staging", "production") for r in plan_stack(stack, project_dir).resources]

    for resource in resources:
        check_replayable(resource)  # raises if not

    assert len(resources) == 31


def change(old: dict[str, object], new: dict[str, object], resource_id: str = APP) -> Change:
    changed = frozenset(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return Change(resource_id, {"id": resource_id}, old, new, changed)


def test_an_app_update_always_patches_the_app_and_its_config_and_sends_each_changed_maps_keys() -> None:
    old = {"name": "a-b", "configVars": {"A": "1", "B": "2"}, "sensitiveConfigVars": {"S": "x"}, "acm": False}
    new = {"name": "a-b", "configVars": {"A": "1", "C": "3"}, "sensitiveConfigVars": {"S": "x"}, "acm": True}

    made = update_script("heroku:app/app:App", change(old, new), ON_LOOPBACK)

    assert made.steps == (
        Call("PATCH", f"/apps/{APP}", {}),
        Call("PATCH", f"/apps/{APP}/config-vars", {"A": "1", "B": None, "C": "3"}),
        NewestRelease(f"/apps/{APP}/releases", keep="release"),
        Poll(
            f"/apps/{APP}/releases/{{release.id}}", "status", ("pending",), ("succeeded",), RELEASE_TIMEOUT, "release"
        ),
        Call("POST", f"/apps/{APP}/acm"),
        Call("GET", f"/apps/{APP}", keep="read"),
        Call("GET", f"/apps/{APP}/buildpack-installations", keep="buildpacks"),
        Call("GET", f"/apps/{APP}/config-vars"),
    )


def test_an_app_whose_config_did_not_change_still_patches_an_empty_config_and_renames_by_patch() -> None:
    made = update_script(
        "heroku:app/app:App", change({"name": "a-b"}, {"name": "a-c", "stack": "heroku-22"}), ON_LOOPBACK
    )

    assert [(s.method, s.path, s.body) for s in made.steps if isinstance(s, Call)][:2] == [
        ("PATCH", f"/apps/{APP}", {"name": "a-c", "build_stack": "heroku-22"}),
        ("PATCH", f"/apps/{APP}/config-vars", {}),
    ]


def test_an_addon_update_sends_an_empty_plan_when_only_its_name_changed() -> None:
    old = {"appId": APP, "plan": "heroku-redis:mini", "name": "r-1"}

    renamed = update_script("heroku:addon/addon:Addon", change(old, {**old, "name": "r-2"}, "a-id"), ON_LOOPBACK)
    upgraded = update_script(
        "heroku:addon/addon:Addon", change(old, {**old, "plan": "heroku-redis:premium-0"}, "a-id"), ON_LOOPBACK
    )

    assert renamed.steps[0] == Call("PATCH", f"/apps/{APP}/addons/a-id", {"plan": "", "name": "r-2"}, keep="addon")
    assert upgraded.steps[0] == Call(
        "PATCH", f"/apps/{APP}/addons/a-id", {"plan": "heroku-redis:premium-0"}, keep="addon"
    )


def test_a_formation_update_sends_only_what_changed() -> None:
    old = {"appId": APP, "type": "web", "quantity": 1, "size": "Basic"}

    made = update_script(
        "heroku:formation/formation:Formation", change(old, {**old, "quantity": 2}, "f-id"), ON_LOOPBACK
    )

    assert made.steps[1] == Call("PATCH", f"/apps/{APP}/formation/web", {"quantity": 2}, keep="formation")


@pytest.mark.parametrize(
    ("type_token", "resource_id", "old", "requests"),
    [
        ("heroku:app/app:App", APP, {}, [("DELETE", f"/apps/{APP}", None)]),
        ("heroku:addon/addon:Addon", "a-id", {"appId": APP}, [("DELETE", f"/apps/{APP}/addons/a-id", None)]),
        (
            "heroku:app/feature:Feature",
            f"{APP}:f-id",
            {"appId": APP},
            [("PATCH", f"/apps/{APP}/features/f-id", {"enabled": False})],
        ),
        ("heroku:pipeline/coupling:Coupling", "c-id", {}, [("DELETE", "/pipeline-couplings/c-id", None)]),
        ("heroku:formation/formation:Formation", "f-id", {"appId": APP}, []),
        ("heroku:build/build:Build", "b-id", {"appId": APP}, []),
    ],
)
def test_deletes_send_what_the_provider_sends_and_nothing_for_formations_and_builds(
    type_token: str, resource_id: str, old: dict[str, object], requests: list[tuple[str, str, object]]
) -> None:
    made = delete_script(type_token, resource_id, old)

    assert [(s.method, s.path, s.body) for s in made.steps if isinstance(s, Call)] == requests


@pytest.mark.parametrize(
    ("type_token", "changed", "forced"),
    [
        ("heroku:app/app:App", {"region", "name"}, {"region"}),
        ("heroku:app/app:App", {"name", "configVars"}, set()),
        ("heroku:addon/addon:Addon", {"config"}, {"config"}),
        ("heroku:addon/addon:Addon", {"plan", "name"}, set()),
        ("heroku:pipeline/coupling:Coupling", {"stage"}, {"stage"}),
        ("heroku:build/build:Build", {"source"}, {"source"}),
        ("heroku:formation/formation:Formation", {"type", "quantity"}, set()),
        ("pulumi-python:dynamic/heroku-stack:ReleasePhase", {"releaseId"}, {"releaseId"}),
        ("pulumi-python:dynamic/heroku-stack:ReleasePhase", {"timeoutSeconds"}, set()),
    ],
)
def test_the_inputs_that_force_a_replacement_are_the_providers_force_new_ones(
    type_token: str, changed: set[str], forced: set[str]
) -> None:
    assert replaced_by(type_token, frozenset(changed)) == forced
