"""`pulumi install` on a fresh checkout: what Pulumi's Python language host would install, found as it finds it.

The language host (pulumi/pulumi `sdk/python/toolchain/pip.go`, `InstallDependencies`) runs
``python -m pip install -r requirements.txt`` with the PROGRAM directory as its working directory:
`main:` of Pulumi.yaml, which is `infra/` for both projects here. This test asks pip itself
(``--dry-run --report``) what that command would install, for each project.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

PIP_DRY_RUN = (sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--quiet")


def program_directory(project: Path) -> Path:
    main = yaml.safe_load((project / "Pulumi.yaml").read_text())["main"]
    return (project / main).resolve()


def runtime_requirements(checkout: Path) -> list[str]:
    lines = (checkout / "requirements.txt").read_text().splitlines()
    return sorted(re.sub(r"\s+", "", line) for line in lines if line.strip() and not line.startswith("#"))


@pytest.mark.parametrize("project", [".", "examples/inventorysync"])
def test_pulumi_install_installs_this_project_and_exactly_its_runtime_requirements(
    project_dir: Path, tmp_path: Path, project: str
) -> None:
    where = program_directory(project_dir / project)
    report = tmp_path / "report.json"

    result = subprocess.run(  # noqa: S603 - our own interpreter, pip as the language host runs it
        [*PIP_DRY_RUN, "--report", str(report), "-r", "requirements.txt"],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    installed = json.loads(report.read_text())["install"]
    assert where == project_dir / "infra"
    assert [(i["metadata"]["name"], i["download_info"]["url"]) for i in installed] == [
        ("heroku-stack", project_dir.resolve().as_uri())
    ]
    requires = [r for r in installed[0]["metadata"]["requires_dist"] if "extra ==" not in r]
    assert sorted(_normalised(r) for r in requires) == sorted(_normalised(r) for r in runtime_requirements(project_dir))


def _normalised(requirement: str) -> str:
    # pip reports `pulumi<4,>=3.200` for `pulumi>=3.200,<4`: compare name and the set of clauses.
    name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement.replace(" ", "")).groups()  # type: ignore[union-attr]
    return f"{name.lower()}{','.join(sorted(spec.split(',')))}"
