"""`infra/__main__.py` as the Pulumi language host runs it: `runpy.run_path("infra/")`."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from infra.errors import SpecError
from infra.plan.engine import run_program
from infra.program import GET_PIPELINE_INVOKE
from infra.program.project import running_project_dir
from tests.fixtures.pulumi_mocks import EngineRun, engine_config, pipeline_lookup


def test_running_the_program_directory_declares_what_build_declares(
    project_dir: Path, engine_run: EngineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_dir)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if Path(p or ".").resolve() != project_dir])
    config, secret_keys = engine_config(project_dir, "production")

    run = run_program(
        lambda: runpy.run_path(str(project_dir / "infra"), run_name="__main__"),
        project="shopsentiment",
        stack="production",
        config=config,
        secret_keys=tuple(secret_keys),
        lookups={GET_PIPELINE_INVOKE: pipeline_lookup},
    )

    via_build = engine_run("production")
    assert sorted((r.urn, r.protect) for r in run.registrations) == sorted(
        (r.urn, r.protect) for r in via_build.registrations
    )
    assert (sys.path[0], str(project_dir / "infra") in sys.path) == (str(project_dir), False)


def test_the_project_is_found_from_the_program_directory_too(project_dir: Path) -> None:
    found = run_program(
        lambda: running_project_dir(project_dir / "infra"), project="shopsentiment", stack="staging"
    ).result

    assert found == project_dir


def test_a_directory_outside_the_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "other", "runtime": "python"}))

    with pytest.raises(SpecError) as caught:
        run_program(lambda: running_project_dir(tmp_path), project="shopsentiment", stack="staging")

    assert str(caught.value) == f"Pulumi.yaml: no Pulumi.yaml naming project 'shopsentiment' in {tmp_path} or above it"


EXEC_LIKE = """
import asyncio, importlib.util, json, runpy, sys
sys.path.append(sys.argv[1])  # site-packages without its .pth files: no editable install of this project
assert importlib.util.find_spec("infra") is None, "infra is importable before the program runs"
import pulumi

declared = []

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        declared.append(args.typ)
        state = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":  # staging's outputs, which production reads
            state["outputs"] = {"pipeline": {"id": "pipeline-id", "name": "shopsentiment"}}
        return args.name + "-id", state

    def call(self, args):
        return {"id": "pipeline-id", "name": args.args["name"]}

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
pulumi.runtime.set_all_config(json.loads(sys.argv[2]), json.loads(sys.argv[3]))
pulumi.runtime.set_mocks(Mocks(), project="shopsentiment", stack="production", preview=False)
pulumi.runtime.test(lambda: runpy.run_path("infra/", run_name="__main__"))()
print(len(declared))
"""


def test_pulumi_up_without_installing_the_project_can_import_it(project_dir: Path, tmp_path: Path) -> None:
    # What a user who only ran `pulumi up` has: the requirements in .venv, not this project.
    script = tmp_path / "pulumi-language-python-exec"
    script.write_text(EXEC_LIKE)
    config, secret_keys = engine_config(project_dir, "production")

    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            "-S",
            str(script),
            sysconfig.get_paths()["purelib"],
            json.dumps(config),
            json.dumps(secret_keys),
        ],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert (result.returncode, result.stdout) == (0, "16\n"), result.stderr[-2000:]
