"""Without --manifest, verify and drift ask the Pulumi CLI for the `manifest` output, when it is on PATH.

The Pulumi CLI cannot be installed here, so a stand-in `pulumi` on PATH answers exactly the one
command the product runs (`pulumi stack output manifest --json --show-secrets=false --stack S`)
from the manifest the rehearsal exported, and fails like the CLI for anything else.
"""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from pathlib import Path

import pytest

from infra.cli.main import main
from infra.errors import ManifestError
from infra.spec import load_stack
from infra.verify.manifests import manifests_from_pulumi
from tests.fixtures.sandbox import SANDBOX_TOKEN
from tests.fixtures.verify import DeployStack, with_secret_values

STAGING = {"SECRET_KEY": "staging-session-key", "MONGODB_URI": "mongodb+srv://app:pw@staging.example.net/s"}
FAKE_PULUMI = """#!{python}
import pathlib, sys
args = sys.argv[1:]
expected = ["stack", "output", "manifest", "--json", "--show-secrets=false", "--stack"]
outputs = pathlib.Path({outputs!r})
if args[:-1] != expected or not (outputs / (args[-1] + ".json")).exists():
    sys.stderr.write("error: no stack named '" + args[-1] + "' found\\n")
    sys.exit(255)
sys.stdout.write((outputs / (args[-1] + ".json")).read_text())
"""


@pytest.fixture
def pulumi_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of `<stack>.json` stack outputs, served by a stand-in `pulumi` first on PATH."""
    outputs, bin_dir = tmp_path / "outputs", tmp_path / "bin"
    outputs.mkdir()
    bin_dir.mkdir()
    script = bin_dir / "pulumi"
    script.write_text(FAKE_PULUMI.format(python=sys.executable, outputs=str(outputs)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    return outputs


def manifest_of(stack: str) -> dict[str, object]:
    return {"schema": "heroku-stack/manifest@1", "project": "shopsentiment", "stack": stack, "apps": {}}


def test_each_stack_without_a_manifest_file_gets_the_pulumi_output_and_a_note(
    pulumi_outputs: Path, project_dir: Path
) -> None:
    (pulumi_outputs / "staging.json").write_text(json.dumps(manifest_of("staging")))

    found, notes = manifests_from_pulumi(["staging", "production"], project="shopsentiment", cwd=project_dir)

    assert list(found) == ["staging"]
    assert notes == [
        "manifest for staging: from `pulumi stack output manifest --json --show-secrets=false --stack staging`",
        "manifest for production: `pulumi stack output manifest --json --show-secrets=false --stack production` "
        "failed (error: no stack named 'production' found); secrets compared by presence",
    ]


def test_without_the_pulumi_cli_nothing_is_read_and_nothing_said(project_dir: Path) -> None:
    assert manifests_from_pulumi(["staging"], project="shopsentiment", cwd=project_dir, which=lambda _: None) == (
        {},
        [],
    )


def test_an_output_of_another_project_is_refused(pulumi_outputs: Path, project_dir: Path) -> None:
    (pulumi_outputs / "staging.json").write_text(json.dumps({**manifest_of("staging"), "project": "other"}))

    with pytest.raises(ManifestError, match=r"is for project 'other', but this is project 'shopsentiment'"):
        manifests_from_pulumi(["staging"], project="shopsentiment", cwd=project_dir)


@pytest.mark.slow
def test_pulumi_up_then_verify_with_no_flags_compares_secrets_by_fingerprint(
    pulumi_outputs: Path,
    project_dir: Path,
    deploy_stack: DeployStack,
    sandbox_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in (("HEROKU_API_URL", sandbox_url), ("HEROKU_API_KEY", SANDBOX_TOKEN)):
        monkeypatch.setenv(name, value)
    deployed = asyncio.run(deploy_stack(with_secret_values(load_stack("staging", project_dir), STAGING)))
    (pulumi_outputs / "staging.json").write_text(json.dumps(deployed.manifest.document()))
    report = tmp_path / "verify.json"

    code = main(["verify", "staging", "--project-dir", str(project_dir), "--report", f"json={report}"])

    assert code == 0
    assert "manifest for staging: from `pulumi stack output manifest" in capsys.readouterr().err
    assert json.loads(report.read_text())["stacks"][0]["secrets_checked_by"] == "fingerprint"
