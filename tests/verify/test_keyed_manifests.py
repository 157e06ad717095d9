"""Manifests keyed by the stack's fingerprint_key: useless to whoever lacks the key, checked with it after `up`."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import ExitCode, ManifestError
from infra.spec import load_stack
from infra.spec.secret import Secret, fingerprint, key_id
from tests.fixtures.verify import DeployStack, Person, VerifyStack, rows

pytestmark = pytest.mark.anyio

DEMO = Secret(value="shopsentiment-demo")
STAGING = "shopsentiment-staging"


async def test_a_rehearsal_of_a_decrypted_stack_exports_a_manifest_keyed_by_its_fingerprint_key(
    project_dir: Path, deploy_stack: DeployStack, person: Person
) -> None:
    spec = load_stack("staging", project_dir, passphrase=DEMO)
    assert spec.fingerprint_key is not None

    deployed = await deploy_stack(spec)
    async with person() as heroku:
        live = await heroku.get(f"/apps/{STAGING}/config-vars")

    manifest = deployed.manifest
    scope = f"{STAGING}/SECRET_KEY"
    assert manifest.fingerprint_key_id == key_id(spec.fingerprint_key)
    assert manifest.apps["web"].secret_config_vars["SECRET_KEY"] == fingerprint(
        live["SECRET_KEY"], scope=scope, key=spec.fingerprint_key
    )
    # Knowing the value (or guessing it) is not enough to recognise it without the key:
    assert manifest.apps["web"].secret_config_vars["SECRET_KEY"] != fingerprint(live["SECRET_KEY"], scope=scope)


async def test_verify_with_the_key_compares_secrets_by_fingerprint_and_passes(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    spec = load_stack("staging", project_dir, passphrase=DEMO)
    deployed = await deploy_stack(spec)

    result = await verify_stack(spec, manifest=deployed.manifest)

    assert (rows(result.findings), result.exit_code, result.secrets_checked_by) == (
        [],
        ExitCode.OK,
        "fingerprint",
    )


async def test_a_changed_secret_is_found_through_keyed_fingerprints(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack, person: Person
) -> None:
    spec = load_stack("staging", project_dir, passphrase=DEMO)
    deployed = await deploy_stack(spec)
    async with person() as heroku:
        await heroku.request("PATCH", f"/apps/{STAGING}/config-vars", json={"SECRET_KEY": "rotated-by-hand"})

    result = await verify_stack(spec, manifest=deployed.manifest)

    assert rows(result.findings) == [("web/config/SECRET_KEY", "changed")]


async def test_a_keyed_manifest_without_the_key_is_refused_saying_how_to_give_it(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    deployed = await deploy_stack(load_stack("staging", project_dir, passphrase=DEMO))

    with pytest.raises(ManifestError) as caught:
        await verify_stack(load_stack("staging", project_dir), manifest=deployed.manifest)

    key = deployed.manifest.fingerprint_key_id
    assert str(caught.value) == (
        f"the manifest's fingerprints are keyed by the stack's fingerprint_key ({key}), which is still encrypted "
        "in Pulumi.staging.yaml: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to decrypt it, "
        "or leave --manifest out to check secrets by presence"
    )


async def test_a_manifest_made_with_another_key_is_refused_instead_of_reporting_every_secret_changed(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    spec = load_stack("staging", project_dir, passphrase=DEMO)
    deployed = await deploy_stack(spec)
    rotated = spec.model_copy(update={"fingerprint_key": Secret(value="ab" * 32)})

    with pytest.raises(ManifestError) as caught:
        await verify_stack(rotated, manifest=deployed.manifest)

    key = deployed.manifest.fingerprint_key_id
    assert str(caught.value) == (
        f"the manifest's fingerprints are keyed by {key}, but Pulumi.staging.yaml's "
        f"fingerprint_key is {key_id(Secret(value='ab' * 32))}: the key was rotated since; `pulumi up` and export "
        "the manifest again"
    )
