"""One app's component for spec features the ShopSentiment stacks do not use, on small written stacks."""

from __future__ import annotations

from infra.plan.engine import LogMessage
from tests.fixtures.pulumi_mocks import EngineRun, planted
from tests.fixtures.spec_files import WriteStack, app

ADDON = "heroku:addon/addon:Addon"
ATTACHMENT = "heroku:addon/attachment:Attachment"
DRAIN = "heroku:drain/drain:Drain"
DOMAIN = "heroku:domain/domain:Domain"
FORMATION = "heroku:formation/formation:Formation"
BUILD = "heroku:build/build:Build"
APP = "heroku:app/app:App"

DEPLOY = {"source_url": "https://example.com/demo-v2.tar.gz", "version": "v2", "checksum": "SHA256:" + "ab" * 32}


def test_an_attachment_name_adds_a_second_attachment_of_the_addon_to_its_own_app(
    write_stack: WriteStack, engine_run: EngineRun
) -> None:
    addons = [{"plan": "heroku-redis:mini", "name": "demo-staging-redis", "attachment": "CACHE"}]
    project = write_stack(apps={"web": app(addons=addons)})

    run = engine_run("staging", project=project)

    attachment = run.named(ATTACHMENT, "web-attachment-CACHE")
    assert dict(attachment.inputs) == {
        "addonId": run.named(ADDON, "web-addon-heroku-redis").id,
        "appId": run.named(APP, "web").id,
        "name": "CACHE",
    }


def test_addon_provisioning_config_is_passed_through(write_stack: WriteStack, engine_run: EngineRun) -> None:
    addons = [{"plan": "heroku-postgresql:essential-0", "name": "demo-db", "config": {"db-version": "16"}}]
    project = write_stack(apps={"web": app(addons=addons)})

    run = engine_run("staging", project=project)

    assert run.named(ADDON, "web-addon-heroku-postgresql").inputs["config"] == {"db-version": "16"}


def test_a_secret_drain_url_is_a_pulumi_secret_and_a_plain_one_is_not(
    write_stack: WriteStack, engine_run: EngineRun
) -> None:
    drains = [{"url": "syslog+tls://logs.example.com:6514"}, {"secret_url": {"secure": "v1:bm9uY2U=:Y2lwaGVy"}}]
    project = write_stack(apps={"web": app(drains=drains)})

    run = engine_run("staging", project=project)

    plain, secret = run.named(DRAIN, "web-drain-0"), run.named(DRAIN, "web-drain-1")
    assert (dict(plain.inputs), plain.secret_paths) == (
        {"appId": run.named(APP, "web").id, "url": "syslog+tls://logs.example.com:6514"},
        frozenset(),
    )
    assert (secret.inputs["sensitiveUrl"], sorted(secret.secret_paths)) == (
        planted("staging", "apps.web.drains[1].secret_url"),
        [("sensitiveUrl",)],
    )


def test_a_domain_with_an_sni_endpoint_passes_it(write_stack: WriteStack, engine_run: EngineRun) -> None:
    domains = [{"hostname": "www.example.com", "sni_endpoint": "tyrannosaurs-12345"}]
    project = write_stack(apps={"web": app(domains=domains)})

    run = engine_run("staging", project=project)

    assert run.named(DOMAIN, "web-domain-www.example.com").inputs["sniEndpointId"] == "tyrannosaurs-12345"


def test_without_deploy_nothing_builds_and_the_engine_is_warned_about_the_formation(
    write_stack: WriteStack, engine_run: EngineRun
) -> None:
    project = write_stack()

    run = engine_run("staging", project=project)

    assert (run.by_type(BUILD), run.named(FORMATION, "web-formation-web").dependencies) == (
        [],
        (run.named(APP, "web").urn,),
    )
    assert run.messages == (
        LogMessage(
            "warning",
            "apps.web (demo-staging) scales web but has no `deploy`: on a fresh app the first `pulumi up` "
            "fails at the formation until code declaring those process types is released (git push or "
            "promotion); add `deploy` to build it",
        ),
    )


def test_the_build_carries_the_checksum_and_bootstrap_only_false_rebuilds_even_in_production(
    write_stack: WriteStack, engine_run: EngineRun
) -> None:
    project = write_stack(
        "production", stage="production", apps={"web": app(deploy={**DEPLOY, "bootstrap_only": False})}
    )

    run = engine_run("production", project=project)

    build = run.named(BUILD, "web-build")
    assert (build.inputs["source"], build.ignore_changes) == (
        {"url": DEPLOY["source_url"], "version": "v2", "checksum": DEPLOY["checksum"]},
        (),
    )


def test_bootstrap_only_true_builds_once_even_in_staging(write_stack: WriteStack, engine_run: EngineRun) -> None:
    project = write_stack(apps={"web": app(deploy={**DEPLOY, "bootstrap_only": True})})

    run = engine_run("staging", project=project)

    assert run.named(BUILD, "web-build").ignore_changes == ("source",)


def test_an_explicit_protect_false_leaves_a_production_database_unprotected(
    write_stack: WriteStack, engine_run: EngineRun
) -> None:
    addons = [
        {"plan": "heroku-postgresql:standard-0", "name": "demo-db", "protect": False},
        {"plan": "papertrail:fixa", "name": "demo-logs", "protect": True},
    ]
    project = write_stack("production", stage="production", apps={"web": app(addons=addons)})

    run = engine_run("production", project=project)

    assert {r.inputs["name"]: r.protect for r in run.by_type(ADDON)} == {"demo-db": False, "demo-logs": True}


def test_an_app_without_secrets_still_sends_an_empty_secret_map(write_stack: WriteStack, engine_run: EngineRun) -> None:
    project = write_stack(apps={"web": app(secrets=None)})

    run = engine_run("staging", project=project)

    web = run.named(APP, "web")
    assert (web.inputs["sensitiveConfigVars"], web.is_secret("sensitiveConfigVars")) == ({}, True)
