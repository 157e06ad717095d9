"""The explicit provider: where it points, how it authenticates, and how long it waits."""

from __future__ import annotations

import json

import pytest

from infra.errors import SpecError
from infra.program.provider import normalise_url
from infra.urls import is_loopback_url
from tests.fixtures.pulumi_mocks import EngineRun
from tests.fixtures.spec_files import WriteStack

PROVIDER = "pulumi:providers:heroku"
CUSTOMIZATIONS = '[{"setAddonConfigVarsInState": false, "setAppAllConfigVarsInState": false}]'
ZERO_DELAYS = {"postAppCreateDelay": 0, "postDomainCreateDelay": 0, "postSpaceCreateDelay": 0}
DATA_TIMEOUT = {"addonCreateTimeout": 60}


def test_heroku_url_to_the_local_sandbox_drops_the_slash_and_the_delays(engine_run: EngineRun) -> None:
    run = engine_run("staging", config={"heroku:url": "http://127.0.0.1:5555/"})

    provider = run.named(PROVIDER, "heroku")
    assert {k: (json.loads(v) if k in ("delays", "timeouts") else v) for k, v in provider.inputs.items()} == {
        "url": "http://127.0.0.1:5555",
        "delays": ZERO_DELAYS,
        "customizations": CUSTOMIZATIONS,
        "timeouts": DATA_TIMEOUT,
    }


def test_a_remote_heroku_url_keeps_the_providers_delays(engine_run: EngineRun) -> None:
    run = engine_run("staging", config={"heroku:url": "https://api.heroku.example.com"})

    assert {k: (json.loads(v) if k == "timeouts" else v) for k, v in run.named(PROVIDER, "heroku").inputs.items()} == {
        "url": "https://api.heroku.example.com",
        "customizations": CUSTOMIZATIONS,
        "timeouts": DATA_TIMEOUT,
    }


def test_the_api_key_from_secret_config_is_a_secret_provider_input(engine_run: EngineRun) -> None:
    run = engine_run("staging", config={"heroku:apiKey": "config-api-key"})

    provider = run.named(PROVIDER, "heroku")
    assert (provider.inputs["apiKey"], provider.is_secret("apiKey")) == ("config-api-key", True)


def test_heroku_api_key_and_url_from_the_environment_never_reach_the_state(
    engine_run: EngineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plugin reads both itself at every run: copied into the provider's inputs, a rotated key would
    # live on in the state for `pulumi destroy` and `refresh`.
    monkeypatch.setenv("HEROKU_API_KEY", "env-api-key")
    monkeypatch.setenv("HEROKU_API_URL", "http://localhost:5555")

    run = engine_run("staging")

    provider = run.named(PROVIDER, "heroku")
    assert sorted(provider.inputs) == ["customizations", "delays", "timeouts"]
    assert json.loads(provider.inputs["delays"]) == ZERO_DELAYS  # the environment's loopback URL: no sleeps


def test_config_is_what_the_provider_is_given(engine_run: EngineRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", "env-api-key")
    monkeypatch.setenv("HEROKU_API_URL", "http://localhost:5555")

    run = engine_run("staging", config={"heroku:apiKey": "config-api-key", "heroku:url": "http://[::1]:6000"})

    provider = run.named(PROVIDER, "heroku")
    assert (provider.inputs["apiKey"], provider.inputs["url"]) == ("config-api-key", "http://[::1]:6000")


def test_without_key_or_url_the_provider_leaves_both_to_the_plugin(engine_run: EngineRun) -> None:
    run = engine_run("production")

    assert sorted(run.named(PROVIDER, "heroku").inputs) == ["customizations", "timeouts"]


def test_a_stack_with_a_data_addon_waits_an_hour_for_provisioning_unless_the_stack_says_otherwise(
    engine_run: EngineRun,
) -> None:
    default = engine_run("production")
    configured = engine_run("production", config={"shopsentiment:addon_create_timeout_minutes": "90"})

    assert json.loads(default.named(PROVIDER, "heroku").inputs["timeouts"]) == {"addonCreateTimeout": 60}
    assert json.loads(configured.named(PROVIDER, "heroku").inputs["timeouts"]) == {"addonCreateTimeout": 90}


def test_a_stack_without_data_addons_keeps_the_providers_twenty_minutes(
    write_stack: WriteStack, engine_run: EngineRun
) -> None:
    project = write_stack(
        apps={"web": {"name": "demo-staging", "addons": [{"plan": "papertrail:choklad", "name": "demo-logs"}]}}
    )

    run = engine_run("staging", project=project)

    assert "timeouts" not in run.named(PROVIDER, "heroku").inputs


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:5555", True),
        ("http://127.1.2.3", True),
        ("http://localhost:5555", True),
        ("http://sandbox.localhost", True),
        ("http://[::1]:5555", True),
        ("https://api.heroku.com", False),
        ("http://10.0.0.5:5555", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_a_url_that_is_not_http_is_refused_with_where_it_came_from() -> None:
    with pytest.raises(SpecError) as caught:
        normalise_url("ftp://127.0.0.1", source="heroku:url")

    assert str(caught.value) == (
        "heroku:url: must be an http(s) URL such as http://127.0.0.1:5050 (got 'ftp://127.0.0.1')"
    )


def test_a_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(SpecError) as caught:
        normalise_url("https://user:hunter2@api.heroku.com", source="HEROKU_API_URL")

    assert str(caught.value) == "HEROKU_API_URL: must not embed credentials; use heroku:apiKey"


def test_a_url_with_a_query_is_refused_without_echoing_it() -> None:
    with pytest.raises(SpecError) as caught:
        normalise_url("ftp://sandbox/?token=hunter2")

    assert str(caught.value) == "heroku:url: must not have a query string or fragment"
