"""Reading a stack's secrets with its passphrase, as Pulumi's passphrase secrets provider does."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import SpecError
from infra.spec import load_stack
from infra.spec.passphrase import passphrase_from_env
from infra.spec.secret import Secret
from tests.fixtures.spec_files import WriteStack

DEMO = Secret(value="shopsentiment-demo")


def test_the_demo_passphrase_decrypts_every_secret_of_both_real_stacks(project_dir: Path) -> None:
    for stack in ("staging", "production"):
        spec = load_stack(stack, project_dir, passphrase=DEMO)

        secrets = [spec.fingerprint_key, *spec.apps["web"].secrets.values()]
        assert [s is not None and s.known for s in secrets] == [True, True, True]
        assert spec.fingerprint_key is not None
        assert len(bytes.fromhex(spec.fingerprint_key.reveal())) == 32


def test_a_wrong_passphrase_is_one_line_that_names_the_file(project_dir: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_stack("staging", project_dir, passphrase=Secret(value="not-the-passphrase"))

    assert str(caught.value) == (
        'Pulumi.staging.yaml (stack "staging"): PULUMI_CONFIG_PASSPHRASE does not decrypt this stack\'s secrets '
        "(wrong passphrase)"
    )


def test_a_damaged_secure_value_is_named_by_its_path(project_dir: Path, write_stack: WriteStack) -> None:
    salt_line = next(
        line for line in (project_dir / "Pulumi.staging.yaml").read_text().splitlines() if "encryptionsalt" in line
    )
    project = write_stack(
        text=f"{salt_line}\nconfig:\n  demo:stage: staging\n  demo:pipeline: demo\n"
        "  demo:apps:\n    web:\n      name: demo-staging\n      secrets:\n        API_TOKEN:\n"
        "          secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA\n"
    )

    with pytest.raises(SpecError) as caught:
        load_stack("staging", project, passphrase=DEMO)

    assert str(caught.value) == (
        'Pulumi.staging.yaml (stack "staging"): apps.web.secrets.API_TOKEN: is a secure: value this passphrase '
        "cannot decrypt"
    )


def test_without_a_passphrase_secrets_stay_encrypted(project_dir: Path) -> None:
    spec = load_stack("staging", project_dir)

    assert spec.fingerprint_key is not None
    assert spec.fingerprint_key.known is False


def test_the_passphrase_comes_from_the_variable_or_the_file_pulumi_reads(tmp_path: Path) -> None:
    path = tmp_path / "passphrase"
    path.write_text("from-a-file\n")

    from_var = passphrase_from_env({"PULUMI_CONFIG_PASSPHRASE": "from-the-variable"})
    from_file = passphrase_from_env({"PULUMI_CONFIG_PASSPHRASE_FILE": str(path)})

    assert (from_var, from_file, passphrase_from_env({})) == (
        Secret(value="from-the-variable"),
        Secret(value="from-a-file"),
        None,
    )
    assert repr(from_var) == "Secret(****)"
