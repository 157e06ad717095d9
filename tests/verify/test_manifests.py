"""`--manifest FILE`: read and validated before any API call, by `verify`, `drift` and `promote` alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.cli.main import main
from infra.errors import ManifestError
from infra.spec import load_stack
from infra.spec.manifest import manifest
from infra.verify.manifests import load_manifests

STACKS = {"staging", "production"}


def written(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def staging_manifest(project_dir: Path, tmp_path: Path) -> Path:
    return written(tmp_path, "staging.json", manifest(load_stack("staging", project_dir)).document())


@pytest.fixture
def production_manifest(project_dir: Path, tmp_path: Path) -> Path:
    return written(tmp_path, "production.json", manifest(load_stack("production", project_dir)).document())


def refusal(paths: list[Path], stacks: set[str] = STACKS, project: str = "shopsentiment") -> str:
    with pytest.raises(ManifestError) as caught:
        load_manifests(paths, project=project, stacks=stacks)
    return str(caught.value)


def test_manifests_are_keyed_by_the_stack_each_names(staging_manifest: Path, production_manifest: Path) -> None:
    found = load_manifests([production_manifest, staging_manifest], project="shopsentiment", stacks=STACKS)

    assert {stack: doc.stack for stack, doc in found.items()} == {"production": "production", "staging": "staging"}


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert refusal([tmp_path / "nope.json"]) == f"{tmp_path / 'nope.json'}: no such file"


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text("stack: staging\n")

    assert refusal([path]) == f"{path}: not readable JSON (JSONDecodeError)"


def test_json_that_is_not_a_manifest_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, "outputs.json", ["not", "a", "manifest"])

    assert refusal([path]) == (
        f"{path}: the manifest must be the `manifest` stack output (schema 'heroku-stack/manifest@1', got 'list'); "
        "export it with `pulumi stack output manifest --json --show-secrets=false`"
    )


def test_a_manifest_of_another_project_is_refused(staging_manifest: Path) -> None:
    assert refusal([staging_manifest], project="inventorysync") == (
        f"{staging_manifest}: the manifest is for project 'shopsentiment', but this is project 'inventorysync'"
    )


def test_a_manifest_of_a_stack_the_run_does_not_check_is_refused(production_manifest: Path) -> None:
    assert refusal([production_manifest], stacks={"staging", "qa"}) == (
        f"{production_manifest}: the manifest is for stack 'production', which this run does not check (qa, staging)"
    )


def test_two_manifests_of_one_stack_are_refused(staging_manifest: Path, tmp_path: Path) -> None:
    again = written(tmp_path, "again.json", json.loads(staging_manifest.read_text()))

    assert refusal([staging_manifest, again]) == (
        f"{again}: a second manifest for stack 'staging' (the first is {staging_manifest})"
    )


@pytest.mark.parametrize("command", [["verify", "staging"], ["drift", "staging"], ["promote", "--yes"]])
def test_every_command_refuses_a_wrong_manifest_before_reading_the_api_or_opening_a_journal(
    command: list[str],
    project_dir: Path,
    production_manifest: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HEROKU_API_URL", "http://127.0.0.1:9")  # the discard port: any request would fail
    monkeypatch.setenv("HEROKU_API_KEY", "unused")
    journals = tmp_path / "journals"
    extra = ["--journal-dir", str(journals)] if command[0] == "promote" else []
    wrong = {**json.loads(production_manifest.read_text()), "project": "inventorysync"}
    path = written(tmp_path, "wrong.json", wrong)

    code = main([*command, "--manifest", str(path), "--project-dir", str(project_dir), *extra])

    assert (code, capsys.readouterr().err) == (
        2,
        f"error: {path}: the manifest is for project 'inventorysync', but this is project 'shopsentiment'\n",
    )
    assert not journals.exists()


def test_a_manifest_of_the_wrong_shape_is_refused_naming_where(project_dir: Path, tmp_path: Path) -> None:
    document = manifest(load_stack("staging", project_dir)).document()
    document["apps"]["web"]["formation"]["web"]["quantity"] = "two"

    assert refusal([written(tmp_path, "staging.json", document)]) == (
        f"{tmp_path / 'staging.json'}: the manifest is not the shape of a `manifest` stack output at "
        "apps.web.formation.web.quantity: Input should be a valid integer, unable to parse string as an integer"
    )
