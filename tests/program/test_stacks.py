"""The program for ShopSentiment's real stacks, run as `pulumi up` would run it, under the mock engine."""

from __future__ import annotations

from typing import Any

from infra.plan.engine import ProgramRun, Registration
from infra.program import StackResources
from infra.spec.manifest import manifest
from infra.spec.secret import Secret, key_id
from tests.fixtures.pulumi_mocks import LOOKED_UP_PIPELINE_ID, LOOKED_UP_TEAM_ID, EngineRun, planted

PROVIDER = "pulumi:providers:heroku"
COMPONENT = "heroku-stack:index:HerokuApp"
APP = "heroku:app/app:App"
ADDON = "heroku:addon/addon:Addon"
DOMAIN = "heroku:domain/domain:Domain"
FEATURE = "heroku:app/feature:Feature"
BUILD = "heroku:build/build:Build"
FORMATION = "heroku:formation/formation:Formation"
COUPLING = "heroku:pipeline/coupling:Coupling"
PIPELINE = "heroku:pipeline/pipeline:Pipeline"
GET_PIPELINE = "heroku:pipeline/getPipeline:getPipeline"
RELEASE_PHASE = "pulumi-python:dynamic/heroku-stack:ReleasePhase"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
TEAM_COLLABORATOR = "heroku:team/collaborator:Collaborator"
MEMBER = "heroku:team/member:Member"

SOURCE = {
    "url": "https://github.com/shopsentiment/shopsentiment/archive/refs/tags/v1.0.0.tar.gz",
    "version": "v1.0.0",
}


def declared(run: ProgramRun[Any]) -> list[tuple[str, str]]:
    return sorted((r.type, r.name) for r in run.registrations)


def inputs_by_name(run: ProgramRun[Any], type_token: str) -> dict[str, dict[str, Any]]:
    return {r.name: dict(r.inputs) for r in run.by_type(type_token)}


def app_id(run: ProgramRun[Any]) -> str:
    return run.named(APP, "web").id


def test_staging_declares_exactly_the_provider_pipeline_and_one_app_with_its_children(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    assert declared(run) == [
        (COMPONENT, "web"),
        (ADDON, "web-addon-heroku-redis"),
        (ADDON, "web-addon-newrelic"),
        (ADDON, "web-addon-papertrail"),
        (APP, "web"),
        (FEATURE, "web-feature-runtime-dyno-metadata"),
        (BUILD, "web-build"),
        (FORMATION, "web-formation-web"),
        (COUPLING, "web-coupling"),
        (PIPELINE, "pipeline"),
        (TEAM_COLLABORATOR, "web-collaborator-dev@shopsentiment.example"),
        (MEMBER, "team-member-dev@shopsentiment.example"),
        (MEMBER, "team-member-lead@shopsentiment.example"),
        (RELEASE_PHASE, "web-release-phase"),
        (PROVIDER, "heroku"),
    ]


def test_production_declares_a_domain_and_preboot_and_reads_the_pipeline_from_staging(engine_run: EngineRun) -> None:
    run = engine_run("production")

    assert declared(run) == [
        (COMPONENT, "web"),
        (ADDON, "web-addon-heroku-redis"),
        (ADDON, "web-addon-newrelic"),
        (ADDON, "web-addon-papertrail"),
        (APP, "web"),
        (FEATURE, "web-feature-preboot"),
        (FEATURE, "web-feature-runtime-dyno-metadata"),
        (BUILD, "web-build"),
        (DOMAIN, "web-domain-www.shopsentiment.com"),
        (FORMATION, "web-formation-web"),
        (COUPLING, "web-coupling"),
        (TEAM_COLLABORATOR, "web-collaborator-ci@shopsentiment.example"),
        (TEAM_COLLABORATOR, "web-collaborator-dev@shopsentiment.example"),
        (RELEASE_PHASE, "web-release-phase"),
        (PROVIDER, "heroku"),
        (STACK_REFERENCE, "organization/shopsentiment/staging"),
    ]


def test_staging_app_gets_explicit_name_catalog_defaults_and_decrypted_secrets(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    assert inputs_by_name(run, APP) == {
        "web": {
            "name": "shopsentiment-staging",
            "region": "us",
            "stack": "heroku-24",
            "buildpacks": ["heroku/python"],
            "acm": False,
            # The team's app: created with POST /teams/apps, never personal.
            "organization": {"name": "shopsentiment", "locked": False, "personal": False},
            "configVars": {
                "LOG_LEVEL": "DEBUG",
                "WTF_CSRF_ENABLED": "true",
                "MONGODB_DB_NAME": "shopsentiment",
                "SQLITE_FALLBACK_ENABLED": "false",
                "CACHE_TYPE": "RedisCache",
                "CACHE_DEFAULT_TIMEOUT": "300",
                "SENTIMENT_MODEL": "vader",
                "APP_ENV": "staging",
                "NEW_RELIC_APP_NAME": "ShopSentiment (staging)",
            },
            "sensitiveConfigVars": {
                "SECRET_KEY": planted("staging", "apps.web.secrets.SECRET_KEY"),
                "MONGODB_URI": planted("staging", "apps.web.secrets.MONGODB_URI"),
            },
        }
    }


def test_production_app_enables_acm_and_sets_its_own_config(engine_run: EngineRun) -> None:
    run = engine_run("production")

    web = run.named(APP, "web").inputs
    assert (web["name"], web["acm"], web["configVars"]["APP_ENV"], web["configVars"]["WEB_CONCURRENCY"]) == (
        "shopsentiment-production",
        True,
        "production",
        "3",
    )


def test_staging_children_carry_explicit_names_and_the_app_uuid(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    uuid = app_id(run)
    assert inputs_by_name(run, ADDON) == {
        "web-addon-heroku-redis": {
            "appId": uuid,
            "name": "shopsentiment-staging-redis",
            "plan": "heroku-redis:mini",
        },
        "web-addon-papertrail": {
            "appId": uuid,
            "name": "shopsentiment-staging-papertrail",
            "plan": "papertrail:choklad",
        },
        "web-addon-newrelic": {
            "appId": uuid,
            "name": "shopsentiment-staging-newrelic",
            "plan": "newrelic:wayne",
        },
    }
    assert inputs_by_name(run, FEATURE) == {
        "web-feature-runtime-dyno-metadata": {"appId": uuid, "name": "runtime-dyno-metadata", "enabled": True}
    }
    assert inputs_by_name(run, FORMATION) == {
        "web-formation-web": {"appId": uuid, "type": "web", "quantity": 1, "size": "Basic"}
    }
    assert inputs_by_name(run, BUILD) == {"web-build": {"appId": uuid, "source": SOURCE}}
    assert inputs_by_name(run, COUPLING) == {
        "web-coupling": {"appId": uuid, "stage": "staging", "pipeline": run.named(PIPELINE, "pipeline").id}
    }
    # Owned by the team, whose id the provider looks up by name (`getTeam`).
    assert inputs_by_name(run, PIPELINE) == {
        "pipeline": {"name": "shopsentiment", "owner": {"id": LOOKED_UP_TEAM_ID, "type": "team"}}
    }


def test_production_children_scale_two_standard_dynos_on_a_custom_domain(engine_run: EngineRun) -> None:
    run = engine_run("production")

    uuid = app_id(run)
    assert inputs_by_name(run, DOMAIN) == {
        "web-domain-www.shopsentiment.com": {"appId": uuid, "hostname": "www.shopsentiment.com"}
    }
    assert inputs_by_name(run, FEATURE) == {
        "web-feature-preboot": {"appId": uuid, "name": "preboot", "enabled": True},
        "web-feature-runtime-dyno-metadata": {"appId": uuid, "name": "runtime-dyno-metadata", "enabled": True},
    }
    assert inputs_by_name(run, FORMATION) == {
        "web-formation-web": {"appId": uuid, "type": "web", "quantity": 2, "size": "Standard-2X"}
    }
    assert {a["name"]: a["plan"] for a in inputs_by_name(run, ADDON).values()} == {
        "shopsentiment-production-redis": "heroku-redis:premium-0",
        "shopsentiment-production-papertrail": "papertrail:fixa",
        "shopsentiment-production-newrelic": "newrelic:wayne",
    }


def test_secret_config_vars_are_registered_as_pulumi_secrets_and_plain_ones_are_not(engine_run: EngineRun) -> None:
    async def secrecy(stack: StackResources) -> tuple[bool, bool]:
        app = stack.apps["web"].app
        return await app.sensitive_config_vars.is_secret(), await app.config_vars.is_secret()

    run = engine_run("production", inspect=secrecy)

    web = run.named(APP, "web")
    assert run.inspected == (True, False)
    assert (web.is_secret("sensitiveConfigVars", "SECRET_KEY"), web.is_secret("configVars")) == (True, False)
    assert sorted(web.secret_paths) == [("sensitiveConfigVars",)]


def test_only_production_data_addons_are_protected(engine_run: EngineRun) -> None:
    staging, production = engine_run("staging"), engine_run("production")

    assert {r.inputs["name"]: r.protect for r in staging.by_type(ADDON)} == {
        "shopsentiment-staging-redis": False,
        "shopsentiment-staging-papertrail": False,
        "shopsentiment-staging-newrelic": False,
    }
    assert {r.inputs["name"]: r.protect for r in production.by_type(ADDON)} == {
        "shopsentiment-production-redis": True,
        "shopsentiment-production-papertrail": False,
        "shopsentiment-production-newrelic": False,
    }


def test_the_owner_stack_protects_the_pipeline_and_nothing_else(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    assert [(r.type, r.name) for r in run.registrations if r.protect] == [(PIPELINE, "pipeline")]


def test_production_reads_the_pipeline_id_from_the_staging_stacks_output(engine_run: EngineRun) -> None:
    run = engine_run("production")

    reference = run.named(STACK_REFERENCE, "organization/shopsentiment/staging")
    assert (reference.read, dict(reference.inputs)) == (True, {"name": "organization/shopsentiment/staging"})
    assert run.invocations == ()
    assert run.by_type(PIPELINE) == []
    assert run.named(COUPLING, "web-coupling").inputs["pipeline"] == f"{reference.id}.outputs.pipeline.id"
    assert run.named(COUPLING, "web-coupling").property_dependencies["pipeline"] == (reference.urn,)


def test_with_pipeline_lookup_name_production_looks_the_pipeline_up_with_the_explicit_provider(
    engine_run: EngineRun,
) -> None:
    run = engine_run("production", config={"shopsentiment:pipeline_lookup": "name"})

    provider = run.named(PROVIDER, "heroku")
    assert [(i.token, dict(i.args), i.provider) for i in run.invocations] == [
        (GET_PIPELINE, {"name": "shopsentiment"}, f"{provider.urn}::{provider.id}")
    ]
    assert run.by_type(STACK_REFERENCE) == []
    assert run.named(COUPLING, "web-coupling").inputs["pipeline"] == LOOKED_UP_PIPELINE_ID


def test_every_child_is_parented_to_its_app_component_and_uses_the_explicit_provider(engine_run: EngineRun) -> None:
    run = engine_run("production")

    provider = run.named(PROVIDER, "heroku")
    provider_ref = f"{provider.urn}::{provider.id}"
    component = run.named(COMPONENT, "web")
    children = [r for r in run.registrations if r.type not in (PROVIDER, COMPONENT, STACK_REFERENCE, RELEASE_PHASE)]
    assert component.providers == {"heroku": provider_ref}
    assert {(r.parent, r.provider) for r in children} == {(component.urn, provider_ref)}
    assert len(children) == 12  # with the two access grants
    assert run.named(RELEASE_PHASE, "web-release-phase").parent == component.urn


def test_the_owned_pipeline_sits_at_stack_level_on_the_explicit_provider(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    provider = run.named(PROVIDER, "heroku")
    pipeline = run.named(PIPELINE, "pipeline")
    assert (pipeline.parent, pipeline.provider) == (
        "urn:pulumi:staging::shopsentiment::pulumi:pulumi:Stack::shopsentiment-staging",
        f"{provider.urn}::{provider.id}",
    )


def test_the_formation_waits_for_the_release_phase_which_waits_for_the_build_which_waits_for_addons_and_features(
    engine_run: EngineRun,
) -> None:
    run = engine_run("production")

    def after(registration: Registration) -> list[str]:
        return sorted(d.rsplit("::", 1)[-1] for d in registration.dependencies)

    assert after(run.named(FORMATION, "web-formation-web")) == ["web", "web-release-phase"]
    assert after(run.named(RELEASE_PHASE, "web-release-phase")) == ["web", "web-build"]
    assert after(run.named(BUILD, "web-build")) == [
        "web",
        "web-addon-heroku-redis",
        "web-addon-newrelic",
        "web-addon-papertrail",
        "web-feature-runtime-dyno-metadata",
    ]


def test_preboot_is_enabled_only_after_the_formation_has_started_the_professional_dynos(engine_run: EngineRun) -> None:
    run = engine_run("production")

    preboot = run.named(FEATURE, "web-feature-preboot")
    assert sorted(d.rsplit("::", 1)[-1] for d in preboot.dependencies) == ["web", "web-formation-web"]


def test_the_release_phase_wait_takes_the_builds_release_and_its_timeout_from_the_spec(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    wait = run.named(RELEASE_PHASE, "web-release-phase")
    build = run.named(BUILD, "web-build")
    assert {k: v for k, v in wait.inputs.items() if k != "__provider"} == {
        "appId": app_id(run),
        "releaseId": f"{build.id}.releaseId",
        "timeoutSeconds": 1800,
    }
    assert sorted(wait.property_dependencies["releaseId"]) == [build.urn]


def test_production_builds_once_and_staging_rebuilds_when_the_source_changes(engine_run: EngineRun) -> None:
    staging, production = engine_run("staging"), engine_run("production")

    assert staging.named(BUILD, "web-build").ignore_changes == ()
    assert production.named(BUILD, "web-build").ignore_changes == ("source",)


def test_provider_keeps_credentials_out_of_state_and_targets_heroku_by_default(engine_run: EngineRun) -> None:
    run = engine_run("staging")

    assert dict(run.named(PROVIDER, "heroku").inputs) == {
        "customizations": '[{"setAddonConfigVarsInState": false, "setAppAllConfigVarsInState": false}]',
        "timeouts": '{"addonCreateTimeout": 60}',
    }


def test_outputs_export_app_identity_the_pipeline_and_a_manifest_with_fingerprints(engine_run: EngineRun) -> None:
    async def resolved(stack: StackResources) -> dict[str, Any]:
        outputs = stack.outputs()
        web = outputs["apps"]["web"]
        return {
            "apps": {"web": {k: await v.future() for k, v in web.items()}},
            "pipeline": {"name": outputs["pipeline"]["name"], "id": await outputs["pipeline"]["id"].future()},
            "manifest": outputs["manifest"],
        }

    run = engine_run("staging", inspect=resolved)

    spec = run.result.spec
    assert run.inspected == {
        "apps": {
            "web": {
                "id": app_id(run),
                "name": "shopsentiment-staging",
                "web_url": "https://shopsentiment-staging.herokuapp.com/",
            }
        },
        "pipeline": {"name": "shopsentiment", "id": run.named(PIPELINE, "pipeline").id},
        "manifest": manifest(spec).document(),
    }
    assert sorted(run.inspected["manifest"]["apps"]["web"]["secret_config_vars"]) == ["MONGODB_URI", "SECRET_KEY"]
    assert None not in run.inspected["manifest"]["apps"]["web"]["secret_config_vars"].values()
    # Under the engine the stack's fingerprint_key is decrypted: the fingerprints are keyed by it.
    assert run.inspected["manifest"]["fingerprint_key_id"] == key_id(
        Secret(value=planted("staging", "fingerprint_key"))
    )


def test_the_real_stacks_log_no_warnings(engine_run: EngineRun) -> None:
    staging, production = engine_run("staging"), engine_run("production")

    assert (staging.messages, production.messages) == ((), ())


def test_addons_keep_their_state_through_an_alias_to_the_logical_name_they_had_before(engine_run: EngineRun) -> None:
    run = engine_run("production")

    assert {r.name: r.aliases for r in run.by_type(ADDON)} == {
        "web-addon-heroku-redis": ("shopsentiment-production-redis",),
        "web-addon-newrelic": ("shopsentiment-production-newrelic",),
        "web-addon-papertrail": ("shopsentiment-production-papertrail",),
    }


def test_what_heroku_holds_one_of_at_a_time_is_deleted_before_it_is_replaced(engine_run: EngineRun) -> None:
    run = engine_run("production")

    assert sorted(r.name for r in run.registrations if r.delete_before_replace) == [
        "web-addon-newrelic",  # a non-data add-on keeps its globally unique name; a database never goes first
        "web-addon-papertrail",
        "web-coupling",  # one pipeline coupling per app
    ]
