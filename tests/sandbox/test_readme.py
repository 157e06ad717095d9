"""The README's "Local Heroku sandbox" section names every admin call, setting and delay the sandbox has."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from starlette.routing import Route

from infra.cli.main import main
from infra.sandbox import Delays, Faults, HttpBehaviour, admin
from infra.sandbox.admin import BuildBehaviour


@pytest.fixture
def sandbox_section(project_dir: Path) -> str:
    readme = (project_dir / "README.md").read_text()
    return readme[readme.index("## Local Heroku sandbox") : readme.index("### The Heroku API client")]


def test_every_admin_route_is_a_row_of_the_admin_table(sandbox_section: str) -> None:
    rows = [line for line in sandbox_section.splitlines() if line.startswith("| `")]
    routes = [(method, r.path) for r in admin.routes if isinstance(r, Route) for method in sorted(r.methods or ())]

    missing = [(m, p) for m, p in routes if m != "HEAD" and not any(m in row and f"{p}`" in row for row in rows)]

    assert missing == []


def test_every_app_http_build_and_fault_field_is_named(sandbox_section: str) -> None:
    fields = [*HttpBehaviour.model_fields, *BuildBehaviour.model_fields, *Faults.model_fields]

    assert [name for name in fields if f"`{name}`" not in sandbox_section] == []


def test_every_delay_has_a_flag_and_the_readme_names_it(
    sandbox_section: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    usage = capsys.readouterr().out
    wanted = [f"--{field.name}-delay" for field in dataclasses.fields(Delays)]

    assert [flag for flag in wanted if flag not in usage or f"`{flag}`" not in sandbox_section] == []
