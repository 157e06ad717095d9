"""Resolving a planned resource's inputs: references to ids, lookups to their values, [secret] to the value set."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import RehearsalError
from infra.plan import plan_spec, plan_stack
from infra.plan.planner import pipeline_lookup
from infra.rehearse import Known, resolve_inputs, secret_source
from infra.rehearse.inputs import UNKNOWN
from infra.spec import load_stack
from infra.spec.models import DrainSpec, StackSpec
from infra.spec.secret import Secret
from tests.rehearse.helpers import planned

APP_ID = "01234567-89ab-cdef-0123-456789abcdef"
ADDON_ID = "11111111-2222-3333-4444-555555555555"
NOTHING = Known(ids={}, looked_up={})


def test_the_apps_secret_config_vars_take_the_values_set_and_plain_ones_stay(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)
    app = next(r for r in plan_stack("staging", project_dir).resources if r.ref == "App web")
    secrets = {"apps.web.secrets.SECRET_KEY": "key-value", "apps.web.secrets.MONGODB_URI": "mongodb://u:p@h/db"}

    inputs = resolve_inputs(app, NOTHING, secrets, spec)

    assert inputs["sensitiveConfigVars"] == {"MONGODB_URI": "mongodb://u:p@h/db", "SECRET_KEY": "key-value"}
    assert inputs["configVars"] == dict(app.inputs["configVars"])


def test_a_reference_becomes_the_id_heroku_returned(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)
    attachment = planned(
        "Attachment", "web-attachment-CACHE", app="web", inputs={"addonId": "<Addon r>", "appId": "<App web>"}
    )

    inputs = resolve_inputs(attachment, Known(ids={"App web": APP_ID, "Addon r": ADDON_ID}, looked_up={}), {}, spec)

    assert inputs == {"addonId": ADDON_ID, "appId": APP_ID}


def test_the_looked_up_pipeline_replaces_the_plans_placeholder(project_dir: Path) -> None:
    spec = load_stack("production", project_dir)
    by_name = spec.model_copy(update={"pipeline_lookup": "name"})
    coupling = next(r for r in plan_spec(by_name).resources if r.kind == "Coupling")
    placeholder = pipeline_lookup({"name": "shopsentiment"})["id"]
    known = Known(ids={"App web": APP_ID}, looked_up={placeholder: "pipeline-uuid"})

    assert resolve_inputs(coupling, known, {}, spec) == {
        "appId": APP_ID,
        "pipeline": "pipeline-uuid",
        "stage": "production",
    }


def test_an_output_of_another_resource_is_taken_from_what_it_returned(project_dir: Path) -> None:
    wait = planned(
        "ReleasePhase",
        "web-release-phase",
        app="web",
        inputs={"appId": "<App web>", "releaseId": "<Build web-build>.releaseId"},
    )
    known = Known(
        ids={"App web": APP_ID, "Build web-build": "build-id"},
        looked_up={},
        outputs={"Build web-build": {"id": "build-id", "releaseId": "release-id"}},
    )

    assert resolve_inputs(wait, known, {}, load_stack("staging", project_dir)) == {
        "appId": APP_ID,
        "releaseId": "release-id",
    }


def test_the_pipeline_id_comes_from_the_owner_stacks_output_through_the_stack_reference(project_dir: Path) -> None:
    spec = load_stack("production", project_dir)
    coupling = next(r for r in plan_stack("production", project_dir).resources if r.kind == "Coupling")
    reference = "StackReference organization/shopsentiment/staging"
    known = Known(ids={"App web": APP_ID}, looked_up={}, outputs={reference: {"outputs.pipeline.id": "p-uuid"}})

    assert resolve_inputs(coupling, known, {}, spec)["pipeline"] == "p-uuid"


def test_an_input_from_a_resource_still_to_be_created_is_unknown_in_a_preview(project_dir: Path) -> None:
    coupling = planned("Coupling", "web-coupling", app="web", inputs={"appId": "<App web>", "stage": "staging"})

    inputs = resolve_inputs(
        coupling, Known(ids={}, looked_up={}, pending=frozenset({"App web"})), {}, load_stack("staging", project_dir)
    )

    assert inputs == {"appId": UNKNOWN, "stage": "staging"}


def test_a_reference_to_a_resource_not_created_yet_is_refused(project_dir: Path) -> None:
    formation = planned("Formation", "web-formation-web", app="web", inputs={"appId": "<App web>", "type": "web"})

    with pytest.raises(RehearsalError) as caught:
        resolve_inputs(formation, NOTHING, {}, load_stack("staging", project_dir))

    assert str(caught.value) == "Formation web-formation-web: input appId needs App web, which has no id yet"


def with_secret_drain(spec: StackSpec) -> StackSpec:
    web = spec.apps["web"]
    drains = (DrainSpec(url="syslog+tls://logs.example.com:6514"), DrainSpec(secret_url=Secret(ciphertext="x")))
    return spec.model_copy(update={"apps": {"web": web.model_copy(update={"drains": drains})}})


def test_a_secret_drain_url_is_traced_to_its_position_in_the_stack(project_dir: Path) -> None:
    spec = with_secret_drain(load_stack("staging", project_dir))
    drain = planned("Drain", "web-drain-1", app="web", inputs={"appId": "<App web>", "sensitiveUrl": "[secret]"})
    secrets = {"apps.web.drains[1].secret_url": "https://token@logs.example.com/drain"}

    assert secret_source(drain, ("sensitiveUrl",), spec) == "apps.web.drains[1].secret_url"
    assert resolve_inputs(drain, Known(ids={"App web": APP_ID}, looked_up={}), secrets, spec) == {
        "appId": APP_ID,
        "sensitiveUrl": "https://token@logs.example.com/drain",
    }


def test_a_masked_input_with_no_stack_config_path_stops_the_rehearsal(project_dir: Path) -> None:
    domain = planned("Domain", "web-domain-x", app="web", inputs={"appId": "<App web>", "hostname": "[secret]"})

    with pytest.raises(RehearsalError) as caught:
        resolve_inputs(domain, Known(ids={"App web": APP_ID}, looked_up={}), {}, load_stack("staging", project_dir))

    assert str(caught.value) == (
        "Domain web-domain-x: input hostname is a secret the rehearsal cannot trace to a stack config path "
        "(it fills App sensitiveConfigVars and Drain sensitiveUrl)"
    )
