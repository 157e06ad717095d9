"""Each spec rule, one bad input at a time, with the exact message a user sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.errors import SpecError
from infra.spec import load_stack
from tests.fixtures.spec_files import WriteStack, app

PREFIX = 'Pulumi.staging.yaml (stack "staging"): '


def error_of(write_stack: WriteStack, **kwargs: Any) -> str:
    with pytest.raises(SpecError) as caught:
        load_stack("staging", write_stack(**kwargs))
    return str(caught.value)


def test_minimal_stack_is_valid(write_stack: WriteStack) -> None:
    spec = load_stack("staging", write_stack())

    assert (spec.project, spec.stack, list(spec.apps)) == ("demo", "staging", ["web"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"name": "Demo_App"},
            "apps.web.name: must be a Heroku app name: 3-30 characters of lowercase letters, digits and dashes, "
            "starting with a letter and not ending with a dash (got 'Demo_App')",
        ),
        ({"region": "asia"}, "apps.web.region: must be 'us' or 'eu' (got 'asia')"),
        ({"stack": "heroku-18"}, "apps.web.stack: must be 'heroku-22' or 'heroku-24' (got 'heroku-18')"),
        (
            {"formation": {"web": {"quantity": -1, "size": "basic"}}},
            "apps.web.formation.web.quantity: must be at least 0 (got -1)",
        ),
        (
            {"formation": {"web": {"quantity": "2", "size": "basic"}}},
            "apps.web.formation.web.quantity: must be a whole number (got a string)",
        ),
        (
            {"formation": {"web": {"quantity": 1, "size": "hobby"}}},
            "apps.web.formation.web.size: must be a Common Runtime dyno size: eco, basic, standard-1x, "
            "standard-2x, performance-m, performance-l, performance-l-ram, performance-xl, performance-2xl "
            "(got 'hobby')",
        ),
        (
            {"addons": [{"plan": "heroku-redis", "name": "demo-redis"}]},
            "apps.web.addons[0].plan: must be an add-on plan in 'service:plan' form, e.g. 'heroku-redis:mini' "
            "(got 'heroku-redis')",
        ),
        (
            {"domains": [{"hostname": "not a host"}]},
            "apps.web.domains[0].hostname: must be a DNS hostname such as 'www.example.com' (got 'not a host')",
        ),
        (
            {"domains": [{"hostname": "demo.herokuapp.com"}]},
            "apps.web.domains[0].hostname: is a Heroku-owned hostname; custom domains must be your own "
            "(got 'demo.herokuapp.com')",
        ),
        (
            {"replicas": 2},
            "apps.web: unknown key 'replicas' (allowed: access, acm, addons, buildpacks, config, deploy, "
            "domains, drains, features, formation, health, http_checks, maintenance, name, protect, region, secrets, "
            "stack)",
        ),
        (
            {"secret": {}},
            "apps.web: unknown key 'secret'; did you mean 'secrets'? (allowed: access, acm, addons, "
            "buildpacks, config, deploy, domains, drains, features, formation, health, http_checks, maintenance, name, "
            "protect, "
            "region, secrets, stack)",
        ),
        ({"name": None}, "apps.web.name: is required"),
        (
            {
                "formation": {"worker": {"quantity": 1, "size": "basic"}},
                "deploy": {"source_url": "https://example.com/a.tgz", "version": "v1", "procfile": {"web": "serve"}},
            },
            "apps.web.formation.worker: is not a process type of deploy.procfile, so Heroku would refuse to scale it "
            '("Couldn\'t find that process type"); the Procfile declares: web',
        ),
        (
            {"deploy": {"source_url": "https://example.com/a.tgz", "version": "v1", "procfile": {"release": " "}}},
            "apps.web.deploy.procfile: the command of 'release' is empty",
        ),
        (
            {"buildpacks": ["python"]},
            "apps.web.buildpacks[0]: must be a buildpack registry name like "
            "'heroku/python' or an https URL (got 'python')",
        ),
        (
            {"buildpacks": ["urn:buildpack:heroku/python"]},
            "apps.web.buildpacks[0]: write the registry name 'heroku/python' instead; Heroku answers with the "
            "registry name and the provider stores that, so any other spelling shows as a change on every `pulumi up`",
        ),
        (
            {"buildpacks": ["https://github.com/heroku/heroku-buildpack-nodejs.git"]},
            "apps.web.buildpacks[0]: is Heroku's official buildpack: write its registry name 'heroku/nodejs' instead; "
            "Heroku answers with the registry name and the provider stores that, so any other spelling shows as a "
            "change on every `pulumi up`",
        ),
        (
            {"buildpacks": ["https://deploy:gh-token-123@example.com/buildpack.tgz"]},
            "apps.web.buildpacks[0]: must not embed credentials; use a public URL or the buildpack registry name",
        ),
        (
            {
                "addons": [
                    {"plan": "heroku-postgresql:essential-0", "name": "demo-db"},
                    {"plan": "heroku-postgresql:essential-1", "name": "demo-db-2"},
                ]
            },
            "apps.web.addons[1].key: has the same service 'heroku-postgresql' (its default key) as addons[0] "
            "(demo-db); give each a distinct `key`, which names it in the Pulumi state",
        ),
        ({"drains": [{}]}, "apps.web.drains[0]: set exactly one of `url` or `secret_url`"),
        (
            {"drains": [{"url": "https://logs.example.com/ingest?token=abc"}]},
            "apps.web.drains[0].url: looks like it carries credentials (userinfo or query string); use "
            "`secret_url` with `pulumi config set --secret --path`",
        ),
        (
            {"health": {"path": "health"}},
            "apps.web.health.path: must be a URL path starting with '/', e.g. '/health' (got 'health')",
        ),
        (
            {"health": {"host": "www.example.com"}},
            "apps.web.health.host: 'www.example.com' is not one of this app's domains",
        ),
    ],
)
def test_bad_app_field_names_the_key_and_what_is_allowed(
    write_stack: WriteStack, changes: dict[str, Any], message: str
) -> None:
    assert error_of(write_stack, apps={"web": app(**changes)}) == PREFIX + message


def test_plain_secret_is_refused_with_the_command_that_fixes_it(write_stack: WriteStack) -> None:
    message = error_of(write_stack, apps={"web": app(secrets={"SESSION_SECRET": "hunter2"})})

    assert message == PREFIX + (
        "apps.web.secrets.SESSION_SECRET: must be a Pulumi secret (a `secure:` entry), not plain text; "
        "set it with `pulumi config set --secret --path 'apps.web.secrets.SESSION_SECRET' <value>`"
    )
    assert "hunter2" not in message


@pytest.mark.parametrize("name", ["API_SECRET", "DB_PASSWORD", "GITHUB_TOKEN", "STRIPE_KEY"])
def test_credential_looking_plain_var_is_refused(write_stack: WriteStack, name: str) -> None:
    message = error_of(write_stack, apps={"web": app(config={name: "s3cr3t-value"})})

    assert message == PREFIX + (
        f"apps.web.config.{name}: looks like a credential and must not be plain text; set it with "
        f"`pulumi config set --secret --path 'apps.web.secrets.{name}' <value>`, or declare it "
        "`secret: false` in catalog.yaml if it is not one"
    )
    assert "s3cr3t-value" not in message


@pytest.mark.parametrize(
    "value",
    [
        "redis://:pw123@cache.example.com",
        " postgres://u:pw123@db.example.com/d",  # a leading space must not hide it
        "https://hooks.example.com/in?token=pw123",
        "Bearer pw123",
        "-----BEGIN RSA PRIVATE KEY-----pw123",
    ],
    ids=["userinfo", "leading-space", "query-token", "bearer", "private-key"],
)
def test_a_credential_in_plain_config_is_refused_without_echoing_it(write_stack: WriteStack, value: str) -> None:
    message = error_of(write_stack, apps={"web": app(config={"CACHE_URL": value})})

    assert message == PREFIX + (
        "apps.web.config.CACHE_URL: holds a credential (a URL with user:password@ or a token in its query, a "
        "`Bearer` value, a private key); set it with `pulumi config set --secret --path 'apps.web.secrets.CACHE_URL' "
        "<value>`, or declare it `secret: false` in catalog.yaml if it is not one"
    )
    assert "pw123" not in message


@pytest.mark.parametrize("name", ["DB_PASS", "STRIPEAPIKEY", "AWS_ACCESS_KEY_ID", "SMTP_PWD", "GCP_CREDENTIALS"])
def test_credential_looking_names_are_refused_as_plain_config(write_stack: WriteStack, name: str) -> None:
    message = error_of(write_stack, apps={"web": app(config={name: "x"})})

    assert message.startswith(PREFIX + f"apps.web.config.{name}: looks like a credential and must not be plain text")


def test_catalog_can_declare_a_credential_looking_name_harmless(write_stack: WriteStack) -> None:
    catalog = {
        "apps": {
            "web": {
                "ACCESS_TOKEN_EXPIRE_MINUTES": {"description": "JWT lifetime.", "secret": False},
                "LOG_LEVEL": {"description": "Logging level."},
                "SESSION_SECRET": {"description": "Session key.", "secret": True},
                "REDIS_URL": {"description": "Cache.", "provided_by": "heroku-redis"},
            }
        }
    }
    config = {"LOG_LEVEL": "INFO", "ACCESS_TOKEN_EXPIRE_MINUTES": "30"}

    spec = load_stack("staging", write_stack(apps={"web": app(config=config)}, catalog=catalog))

    assert spec.config_vars("web") == config


def test_var_missing_from_catalog_is_refused(write_stack: WriteStack) -> None:
    catalog = {"apps": {"web": {"SESSION_SECRET": {"description": "Session key.", "secret": True}}}}

    assert error_of(write_stack, catalog=catalog) == PREFIX + (
        "apps.web.config.LOG_LEVEL: is not in catalog.yaml; describe it under apps.web.LOG_LEVEL first"
    )


def test_a_var_name_close_to_a_catalogued_one_suggests_it(write_stack: WriteStack) -> None:
    catalog = {"apps": {"web": {"LOG_LEVEL": {"description": "Logging level."}}}}

    message = error_of(write_stack, apps={"web": app(config={"LOG_LEVLE": "INFO"})}, catalog=catalog)

    assert message == PREFIX + (
        "apps.web.config.LOG_LEVLE: is not in catalog.yaml; did you mean 'LOG_LEVEL'? If not, describe it under "
        "apps.web.LOG_LEVLE first"
    )


def test_required_catalog_var_must_be_set(write_stack: WriteStack) -> None:
    catalog = {
        "apps": {
            "web": {
                "LOG_LEVEL": {"description": "Logging level."},
                "SESSION_SECRET": {"description": "Session key.", "secret": True},
                "APP_ENV": {"description": "Environment name.", "required": True},
            }
        }
    }

    assert error_of(write_stack, catalog=catalog) == PREFIX + (
        "apps.web.config.APP_ENV: is required (Environment name) but not set"
    )


def test_add_on_provided_var_cannot_be_set_by_hand(write_stack: WriteStack) -> None:
    catalog = {
        "apps": {
            "web": {
                "LOG_LEVEL": {"description": "Logging level."},
                "SESSION_SECRET": {"description": "Session key.", "secret": True},
                "REDIS_URL": {"description": "Cache.", "provided_by": "heroku-redis"},
            }
        }
    }
    apps = {"web": app(config={"LOG_LEVEL": "INFO", "REDIS_URL": "redis://cache.example.com"})}

    assert error_of(write_stack, apps=apps, catalog=catalog) == PREFIX + (
        "apps.web.config.REDIS_URL: is set by the heroku-redis add-on; do not set it by hand"
    )


def test_duplicate_heroku_app_names_across_app_keys_are_refused(write_stack: WriteStack) -> None:
    apps = {"web": app(), "worker": app(addons=[])}

    assert error_of(write_stack, apps=apps) == PREFIX + (
        "apps.worker.name: duplicate app name 'demo-staging' (also used by apps.web)"
    )


def test_duplicate_yaml_keys_are_refused_with_their_line(write_stack: WriteStack) -> None:
    text = "config:\n  demo:stage: staging\n  demo:stage: production\n"

    assert error_of(write_stack, text=text) == PREFIX + ("line 3, column 3: invalid YAML: duplicate key 'demo:stage'")


def test_a_merge_key_followed_by_an_override_is_valid_yaml(write_stack: WriteStack) -> None:
    loaded = read_yaml_text("a: &x {k: 1, j: 2}\nb:\n  <<: *x\n  k: 3\n", write_stack())

    assert loaded == {"a": {"k": 1, "j": 2}, "b": {"k": 3, "j": 2}}


def test_a_key_written_twice_beside_a_merge_is_still_a_duplicate(write_stack: WriteStack) -> None:
    with pytest.raises(SpecError) as caught:
        read_yaml_text("a: &x {k: 1}\nb:\n  <<: *x\n  k: 3\n  k: 4\n", write_stack())

    assert str(caught.value).endswith("line 5, column 3: invalid YAML: duplicate key 'k'")


def read_yaml_text(text: str, directory: Path) -> object:
    from infra.spec.yaml_source import read_yaml

    path = directory / "doc.yaml"
    path.write_text(text)
    return read_yaml(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("config:\n  demo:x: " + "[" * 5000 + "]" * 5000 + "\n", "is nested too deeply to be a stack file"),
        ("config:\n  ? [a, b]\n  : 1\n", "line 2, column 5: invalid YAML: a key must be a plain value, not a list"),
        ("config:\n  ? {a: 1}\n  : 1\n", "line 2, column 5: invalid YAML: a key must be a plain value, not a dict"),
        (
            "config:\n  demo:x: " + "9" * 5000 + "\n",
            "holds a value YAML cannot convert (Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits)",
        ),
        ("config:\n  demo:x: '" + "a" * 1_000_001 + "'\n", "is larger than 1,000,000 bytes"),
    ],
    ids=["nested", "list-key", "map-key", "huge-int", "huge-file"],
)
def test_a_stack_file_no_parser_should_take_is_one_error_line(
    write_stack: WriteStack, content: str, message: str
) -> None:
    assert error_of(write_stack, text=content).startswith(PREFIX + message)


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_a_stack_file_that_is_not_a_regular_file_is_refused_without_reading_it(
    write_stack: WriteStack, kind: str
) -> None:
    import os

    project = write_stack()
    path = project / "Pulumi.staging.yaml"
    path.unlink()
    if kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()

    assert error_of(write_stack=lambda **_: project) == PREFIX + (
        "is not a regular file (a directory, device or pipe); a stack file is plain YAML text"
    )


@pytest.mark.parametrize("name", ["evil/../../outside", "a" * 5000, "..", "st ack", ""])
def test_a_stack_name_that_is_not_a_plain_name_is_refused(write_stack: WriteStack, name: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_stack(name, write_stack())

    assert str(caught.value).startswith(
        "the stack name: must be a Pulumi stack name: 1-100 letters, digits, '-', '_' or '.' (got "
    )
    assert len(str(caught.value)) < 200


def test_malformed_yaml_names_line_and_column(write_stack: WriteStack) -> None:
    text = "config:\n  demo:stage: [staging\n"

    assert error_of(write_stack, text=text).startswith(PREFIX + "line 3, column 1: invalid YAML: ")


def test_unknown_project_key_suggests_the_right_one(write_stack: WriteStack) -> None:
    assert error_of(write_stack, extra={"demo:stages": "staging"}) == PREFIX + (
        "demo:stages: unknown key; did you mean 'demo:stage'? (allowed: stage, pipeline, pipeline_owner, "
        "pipeline_lookup, pipeline_stack, addon_create_timeout_minutes, fingerprint_key, team, apps)"
    )


def test_mixed_dyno_tiers_are_refused(write_stack: WriteStack) -> None:
    formation = {"web": {"quantity": 1, "size": "basic"}, "worker": {"quantity": 1, "size": "standard-1x"}}

    assert error_of(write_stack, apps={"web": app(formation=formation)}) == PREFIX + (
        "apps.web.formation: mixes dyno tiers (web=Basic, worker=Standard-1X); Heroku runs eco, basic or "
        "professional, not a mix"
    )


def test_several_problems_are_listed_together(write_stack: WriteStack) -> None:
    message = error_of(write_stack, apps={"web": app(region="asia", stack="heroku-18")})

    assert message == PREFIX + (
        "2 problems\n  - apps.web.region: must be 'us' or 'eu' (got 'asia')\n"
        "  - apps.web.stack: must be 'heroku-22' or 'heroku-24' (got 'heroku-18')"
    )


def test_missing_stack_file_lists_the_stacks_that_exist(write_stack: WriteStack) -> None:
    root = write_stack()

    with pytest.raises(SpecError) as caught:
        load_stack("prod", root)

    assert str(caught.value) == f'Pulumi.prod.yaml (stack "prod"): no such stack file in {root} (stacks: staging)'
