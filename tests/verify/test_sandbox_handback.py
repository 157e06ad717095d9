"""A verification run hands back what it read (`VerificationResult.live`), hashed, for callers to build on."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from infra.spec import load_stack
from infra.spec.manifest import config_var_scope
from infra.spec.secret import fingerprint
from infra.verify.checkids import Scope
from infra.verify.live import LivePipeline, LiveValue, portable_scope
from infra.verify.run import VerifyOptions
from tests.fixtures.verify import ApiRequests, DeployStack, VerifyStack, with_secret_values

pytestmark = pytest.mark.anyio

CANARY = "CANARY5e1d0b"
APP = "/apps/shopsentiment-staging"


async def test_the_result_holds_each_app_as_read_with_secrets_as_fingerprints_only(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack
) -> None:
    staging = load_stack("staging", project_dir)
    secrets = {"SECRET_KEY": f"{CANARY}-key", "MONGODB_URI": f"mongodb+srv://shop:{CANARY}@db.example.net/s"}
    deployed = await deploy_stack(with_secret_values(staging, secrets))

    result = await verify_stack(staging, manifest=deployed.manifest)

    web = result.live.apps["web"]
    assert (list(result.live.apps), result.live.pipeline) == (
        ["web"],
        LivePipeline(name="shopsentiment", id=deployed.pipeline_id),
    )
    assert isinstance(web.config, dict)
    assert web.config["SECRET_KEY"] == LiveValue(
        fingerprint=fingerprint(f"{CANARY}-key", scope=config_var_scope("shopsentiment-staging", "SECRET_KEY")),
        shown=None,
        portable=fingerprint(f"{CANARY}-key", scope=portable_scope("web", "SECRET_KEY")),
    )
    assert CANARY not in str(asdict(result.live))
    assert CANARY not in repr(result)


async def test_read_also_reads_collections_no_selected_check_needs_once(
    project_dir: Path, deploy_stack: DeployStack, verify_stack: VerifyStack, api_requests: ApiRequests
) -> None:
    staging = load_stack("staging", project_dir)
    deployed = await deploy_stack(with_secret_values(staging, {"SECRET_KEY": "k", "MONGODB_URI": "mongodb://m"}))
    before = len(api_requests())

    result = await verify_stack(
        staging,
        manifest=deployed.manifest,
        scope=Scope.of(checks=["web/formation/*"]),
        read_also=frozenset({"features"}),
    )

    assert sorted(path for _, path in api_requests()[before:]) == [APP, f"{APP}/features", f"{APP}/formation"]
    assert {f.kind for f in result.findings} == {"formation"}
    assert result.live.apps["web"].features == {
        "http-session-affinity": False,
        "log-runtime-metrics": False,
        "preboot": False,
        "runtime-dyno-metadata": True,
        "spaces-dns-discovery": False,
    }


def test_read_also_names_only_collections_a_snapshot_has() -> None:
    with pytest.raises(ValueError, match=r"^read_also: ") as caught:
        VerifyOptions(read_also=frozenset({"formation", "dynos"}))

    assert str(caught.value) == (
        "read_also: no collection dynos (collections: config, addons, attachments, domains, buildpacks, formation, "
        "drains, features, coupling, releases, procfile, access)"
    )
