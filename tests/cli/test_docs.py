"""The README's configuration reference is generated, never hand-edited, and never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli.main import main
from infra.spec.loader import load_catalog
from infra.spec.reference import BEGIN, END, render_reference


def test_readme_reference_matches_the_catalog(project_dir: Path) -> None:
    readme = (project_dir / "README.md").read_text()

    section = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)]

    assert section == "\n" + render_reference(load_catalog(project_dir))


def test_reference_row_says_how_each_var_is_set(project_dir: Path) -> None:
    rows = render_reference(load_catalog(project_dir)).splitlines()

    by_name = {row.split(" | ")[0]: row for row in rows if row.startswith("| `")}

    assert [by_name["| `SECRET_KEY`"], by_name["| `REDIS_URL`"], by_name["| `LOG_LEVEL`"]] == [
        "| `SECRET_KEY` | secret, required |  | "
        "Signs Flask sessions and CSRF tokens; rotate by setting a new Pulumi secret. |",
        "| `REDIS_URL` | by the `heroku-redis` add-on |  | Redis connection URL for the response cache. |",
        "| `LOG_LEVEL` | plain, optional | `INFO` | Python logging level for the app's loggers. |",
    ]


def test_docs_check_fails_on_a_stale_readme(
    tmp_path: Path, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Pulumi.yaml", "catalog.yaml"):
        (tmp_path / name).write_text((project_dir / name).read_text())
    (tmp_path / "README.md").write_text(f"# x\n{BEGIN}\nold\n{END}\n")

    code = main(["docs", "--check", "--project-dir", str(tmp_path)])

    assert (code, capsys.readouterr().err) == (
        2,
        "README.md's configuration reference is out of date: run `heroku-stack docs`\n",
    )
