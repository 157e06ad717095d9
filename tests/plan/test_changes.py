"""What an edit of a stack file would do on `pulumi up`, compared with the file as committed, and the edits refused."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.cli.main import main
from infra.errors import ExitCode
from infra.plan import plan_stack
from infra.plan.replacements import changes_between, hazards
from tests.fixtures.spec_files import MINIMAL_APP, WriteStack

DEPLOY = {"source_url": "https://example.com/demo-v1.tar.gz", "version": "v1"}


def app(**fields: Any) -> dict[str, Any]:
    base = copy.deepcopy(MINIMAL_APP)
    base.update(
        addons=[{"plan": "heroku-postgresql:essential-0", "name": "demo-db"}],
        formation={"web": {"quantity": 1, "size": "basic"}, "worker": {"quantity": 1, "size": "basic"}},
        deploy=DEPLOY,
    )
    base.update(fields)
    return base


def changed(write_stack: WriteStack, before: dict[str, Any], after: dict[str, Any]) -> tuple[list[str], list[str]]:
    old = plan_stack("staging", write_stack(apps={"web": before}))
    new = plan_stack("staging", write_stack(apps={"web": after}))
    found = changes_between(old, new)
    return [f"{c.action} {c.ref} {','.join(c.forces or c.changed)}".rstrip() for c in found], [
        h.ref for h in hazards(found, old)
    ]


def test_a_plan_change_of_a_database_is_an_in_place_update(write_stack: WriteStack) -> None:
    upgraded = app(addons=[{"plan": "heroku-postgresql:standard-0", "name": "demo-db"}])

    assert changed(write_stack, app(), upgraded) == (["update Addon web-addon-heroku-postgresql plan"], [])


def test_a_provisioning_option_change_replaces_the_database_and_is_refused(write_stack: WriteStack) -> None:
    reconfigured = app(addons=[{"plan": "heroku-postgresql:essential-0", "name": "demo-db", "config": {"v": "17"}}])

    assert changed(write_stack, app(), reconfigured) == (
        ["replace Addon web-addon-heroku-postgresql config"],
        ["Addon web-addon-heroku-postgresql"],
    )


def test_renaming_a_database_on_heroku_keeps_it_the_same_resource(write_stack: WriteStack) -> None:
    renamed = app(addons=[{"plan": "heroku-postgresql:essential-0", "name": "demo-main-db"}])

    assert changed(write_stack, app(), renamed) == (["update Addon web-addon-heroku-postgresql name"], [])


def test_a_region_change_replaces_the_app_and_everything_that_takes_its_id(write_stack: WriteStack) -> None:
    actions, refused = changed(write_stack, app(), app(region="eu"))

    assert actions[:3] == [
        "replace App web region",
        "replace Addon web-addon-heroku-postgresql appId",
        "replace Build web-build appId",
    ]
    assert refused == ["App web", "Addon web-addon-heroku-postgresql"]


def test_removing_a_process_type_is_refused_with_the_command_that_scales_it_down(write_stack: WriteStack) -> None:
    old = plan_stack("staging", write_stack(apps={"web": app()}))
    new = plan_stack("staging", write_stack(apps={"web": app(formation={"web": {"quantity": 1, "size": "basic"}})}))

    found = hazards(changes_between(old, new), old)

    assert [h.render() for h in found] == [
        "Formation web-formation-worker: process type worker is removed, but Pulumi's Formation delete sends "
        "nothing: its dynos keep running and billing. Scale it down first: `heroku ps:scale worker=0 --app "
        "demo-staging`, or declare it with quantity: 0 for one `pulumi up` before removing it"
    ]


@pytest.fixture
def committed(write_stack: WriteStack) -> Path:
    """A git repository whose HEAD holds the stack as written by `app()`."""
    project = write_stack(apps={"web": app()})
    for command in (
        ["init", "-q"],
        ["-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A"],
        ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "stack"],
    ):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)  # noqa: S603, S607
    return project


def edit(project: Path, **fields: Any) -> None:
    path = project / "Pulumi.staging.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["demo:apps"]["web"].update(fields)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_plan_reports_the_edit_since_head_and_refuses_a_dangerous_one(
    committed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(committed, formation={"web": {"quantity": 2, "size": "basic"}})

    code = main(["plan", "staging", "--project-dir", str(committed)])

    out = capsys.readouterr().out
    assert code == ExitCode.BLOCKED
    assert out.split("\n\nChanges since HEAD", 1)[1].splitlines()[:4] == [
        " (Pulumi.staging.yaml as committed there), as `pulumi up` would make them:",
        "  update   Formation web-formation-web  (quantity)",
        "  delete   Formation web-formation-worker",
        "",
    ]
    assert "REFUSED: 1 change would lose data or leave dynos running:" in out


def test_an_unchanged_stack_file_is_not_compared_and_no_compare_skips_it(
    committed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = main(["plan", "staging", "--project-dir", str(committed)])
    clean_out = capsys.readouterr().out
    edit(committed, formation={})
    skipped = main(["plan", "staging", "--no-compare", "--project-dir", str(committed)])

    assert (clean, "Changes since" in clean_out) == (ExitCode.OK, False)
    assert (skipped, "Changes since" in capsys.readouterr().out) == (ExitCode.OK, False)


def test_an_unknown_revision_is_one_line_naming_it(committed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "staging", "--since", "no-such-tag", "--project-dir", str(committed)])

    assert (code, capsys.readouterr().err) == (
        ExitCode.ERROR,
        "error: --since: 'no-such-tag' is not a commit of this repository\n",
    )


def test_diff_of_a_stack_with_its_committed_self_lists_the_changes_as_json(
    committed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(committed, addons=[{"plan": "heroku-postgresql:standard-0", "name": "demo-db"}])

    code = main(["diff", "staging@HEAD", "staging", "--json", "--project-dir", str(committed)])

    document = yaml.safe_load(capsys.readouterr().out)
    assert code == ExitCode.OK
    assert document["since"] == {
        "since": "HEAD",
        "changes": [
            {"ref": "Addon web-addon-heroku-postgresql", "action": "update", "changed": ["plan"], "forces": []}
        ],
        "hazards": [],
    }
