"""The secret values a rehearsal sets: by Pulumi config path, given, decrypted or generated; never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import RehearsalError
from infra.rehearse import parse_secret_args, secret_values
from infra.rehearse.secret_inputs import with_values
from infra.spec import load_stack
from infra.spec.manifest import manifest
from infra.spec.secret import Secret, fingerprint


def test_secret_args_are_path_value_pairs_and_the_value_may_hold_an_equals_sign() -> None:
    assert parse_secret_args(["apps.web.secrets.A=x=y", "apps.web.secrets.B="]) == {
        "apps.web.secrets.A": "x=y",
        "apps.web.secrets.B": "",
    }


def test_a_secret_arg_without_a_path_is_refused_without_repeating_it() -> None:
    with pytest.raises(RehearsalError) as caught:
        parse_secret_args(["apps.web.secrets.A=1", "hunter2"])

    assert str(caught.value) == (
        "--secret #2 must be PATH=VALUE, e.g. apps.web.secrets.SECRET_KEY=... (value not shown)"
    )


def test_a_path_given_twice_is_refused() -> None:
    with pytest.raises(RehearsalError) as caught:
        parse_secret_args(["apps.web.secrets.A=1", "apps.web.secrets.A=2"])

    assert str(caught.value) == "--secret apps.web.secrets.A is given twice"


def test_each_secret_is_given_or_decrypted_or_generated(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)
    web = spec.apps["web"]
    decrypted = web.model_copy(update={"secrets": {**web.secrets, "MONGODB_URI": Secret(value="mongodb://x")}})
    spec = spec.model_copy(update={"apps": {"web": decrypted}})

    values = secret_values(spec, {"apps.web.secrets.SECRET_KEY": "given"}, generate=lambda path: f"random for {path}")

    assert (dict(values.values), dict(values.sources)) == (
        {"apps.web.secrets.SECRET_KEY": "given", "apps.web.secrets.MONGODB_URI": "mongodb://x"},
        {"apps.web.secrets.SECRET_KEY": "given", "apps.web.secrets.MONGODB_URI": "decrypted"},
    )
    assert repr(values) == (
        "SecretValues({'apps.web.secrets.SECRET_KEY': 'given', 'apps.web.secrets.MONGODB_URI': 'decrypted'})"
    )


def test_generated_values_differ_per_secret_and_per_run(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)

    first, second = secret_values(spec), secret_values(spec)

    assert len({*first.values.values(), *second.values.values()}) == 4
    assert first.by_source("generated") == ("apps.web.secrets.SECRET_KEY", "apps.web.secrets.MONGODB_URI")


def test_a_path_the_stack_does_not_declare_is_refused_with_the_ones_it_does(project_dir: Path) -> None:
    with pytest.raises(RehearsalError) as caught:
        secret_values(load_stack("staging", project_dir), {"apps.web.secrets.SECRETKEY": "x"})

    assert str(caught.value) == (
        "--secret apps.web.secrets.SECRETKEY: not a secret of stack 'staging' "
        "(its secrets: fingerprint_key, apps.web.secrets.SECRET_KEY, "
        "apps.web.secrets.MONGODB_URI)"
    )


def test_the_manifest_fingerprints_the_values_that_were_set(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)
    values = {"apps.web.secrets.SECRET_KEY": "k", "apps.web.secrets.MONGODB_URI": "m"}

    document = manifest(with_values(spec, values)).document()

    assert document["apps"]["web"]["secret_config_vars"] == {
        "MONGODB_URI": fingerprint("m", scope="shopsentiment-staging/MONGODB_URI"),
        "SECRET_KEY": fingerprint("k", scope="shopsentiment-staging/SECRET_KEY"),
    }
