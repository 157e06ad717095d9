"""The order a rehearsal creates resources in: after the provider, the parent, `depends_on` and referenced ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import RehearsalError
from infra.plan import plan_stack
from infra.rehearse import creation_order, dependencies, references
from infra.rehearse.graph import referenced_attribute
from tests.rehearse.helpers import plan_of, planned


def test_a_reference_is_recognised_only_when_the_whole_value_is_one() -> None:
    assert [
        references("<App web>"),
        references("<Addon shop-redis>, <App web>"),
        references("<Build web-build>.releaseId"),
        references("<StackReference organization/shop/staging>.outputs.pipeline.id"),
        references("see <App web>"),
        references("[secret]"),
        references(3),
    ] == [
        ("App web",),
        ("Addon shop-redis", "App web"),
        ("Build web-build",),
        ("StackReference organization/shop/staging",),
        (),
        (),
        (),
    ]


def test_an_attribute_reference_names_the_output_it_takes() -> None:
    assert [
        referenced_attribute("<Build web-build>.releaseId"),
        referenced_attribute("<StackReference o/p/s>.outputs.pipeline.id"),
        referenced_attribute("<App web>"),
    ] == ["releaseId", "outputs.pipeline.id", None]


def test_the_real_staging_plan_is_created_pipeline_first_and_the_formation_after_the_release_phase(
    project_dir: Path,
) -> None:
    order = creation_order(plan_stack("staging", project_dir))

    assert [r.ref for r in order] == [
        "Provider heroku",
        "Pipeline pipeline",
        "Member team-member-dev@shopsentiment.example",
        "Member team-member-lead@shopsentiment.example",
        "HerokuApp web",
        "App web",
        "Addon web-addon-heroku-redis",
        "Addon web-addon-newrelic",
        "Addon web-addon-papertrail",
        "Feature web-feature-runtime-dyno-metadata",
        "Build web-build",
        "ReleasePhase web-release-phase",
        "Formation web-formation-web",
        "Collaborator web-collaborator-dev@shopsentiment.example",
        "Coupling web-coupling",
    ]


def test_a_build_waits_for_its_provider_parent_app_addons_and_boot_features(project_dir: Path) -> None:
    graph = dependencies(plan_stack("production", project_dir))

    assert graph["Build web-build"] == (
        "Provider heroku",
        "HerokuApp web",
        "App web",
        "Addon web-addon-heroku-redis",
        "Addon web-addon-newrelic",
        "Addon web-addon-papertrail",
        "Feature web-feature-runtime-dyno-metadata",
    )
    assert graph["ReleasePhase web-release-phase"] == ("HerokuApp web", "App web", "Build web-build")
    assert graph["Feature web-feature-preboot"] == (
        "Provider heroku",
        "HerokuApp web",
        "App web",
        "Formation web-formation-web",
    )
    assert graph["Coupling web-coupling"] == (
        "Provider heroku",
        "StackReference organization/shopsentiment/staging",
        "HerokuApp web",
        "App web",
    )


def test_a_resource_listed_before_what_its_input_references_is_created_after_it() -> None:
    plan = plan_of(
        planned("Provider", "heroku"),
        planned("Coupling", "web-coupling", inputs={"appId": "<App web>", "pipeline": "<Pipeline p>"}),
        planned("App", "web", inputs={"name": "demo-staging"}),
        planned("Pipeline", "p", inputs={"name": "demo"}),
    )

    assert [r.ref for r in creation_order(plan)] == [
        "Provider heroku",
        "App web",
        "Pipeline p",
        "Coupling web-coupling",
    ]


def test_a_reference_to_a_resource_the_plan_lacks_is_refused() -> None:
    plan = plan_of(planned("Provider", "heroku"), planned("Formation", "web-f", inputs={"appId": "<App api>"}))

    with pytest.raises(RehearsalError) as caught:
        creation_order(plan)

    assert str(caught.value) == "Formation web-f depends on App api, which the plan does not declare"


def test_a_dependency_cycle_is_refused_naming_what_is_stuck() -> None:
    plan = plan_of(
        planned("Provider", "heroku"),
        planned("Addon", "a", inputs={"appId": "<Build b>"}),
        planned("Build", "b", after=("Addon a",)),
        planned("App", "web"),
    )

    with pytest.raises(RehearsalError) as caught:
        creation_order(plan)

    assert str(caught.value) == "the plan's dependencies form a cycle through Addon a, Build b"


def test_two_resources_with_the_same_kind_and_name_are_refused() -> None:
    plan = plan_of(planned("Provider", "heroku"), planned("App", "web"), planned("App", "web"))

    with pytest.raises(RehearsalError) as caught:
        dependencies(plan)

    assert str(caught.value) == "the plan declares App web twice; a resource must be unique by kind and name"
