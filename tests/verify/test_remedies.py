"""Remedies name the program's real logical names, component and provider, so an import adopts cleanly."""

from __future__ import annotations

from infra.program import component, provider
from infra.verify import remedies


def test_the_component_type_and_provider_name_are_the_programs() -> None:
    assert (remedies.COMPONENT_TYPE, remedies.PROVIDER_NAME) == (component.COMPONENT_TYPE, provider.PROVIDER_NAME)


def test_an_unmanaged_addon_is_adopted_under_the_apps_component_with_the_explicit_provider() -> None:
    assert remedies.unmanaged_addon(
        "shopsentiment", "staging", "web", "shop-staging", "extra-redis", "heroku-redis", "1234"
    ) == (
        "to keep it, declare it under apps.web.addons in Pulumi.staging.yaml, then adopt it: "
        "pulumi import --stack staging 'heroku:addon/addon:Addon' web-addon-heroku-redis 1234 "
        "--parent 'parent=urn:pulumi:staging::shopsentiment::heroku-stack:index:HerokuApp::web' "
        "--provider 'heroku=urn:pulumi:staging::shopsentiment::pulumi:providers:heroku::heroku'",
        "or delete it: `heroku addons:destroy extra-redis -a shop-staging`",
    )


def test_an_unmanaged_domain_is_imported_by_app_and_hostname_under_the_programs_logical_name() -> None:
    first = remedies.unmanaged_domain("p", "production", "web", "shop", "api.shop.com")[0]

    assert "'heroku:domain/domain:Domain' web-domain-api.shop.com shop:api.shop.com" in first
