"""The package map in `infra/__init__.py` and the README's Layout name every package and module of `infra/`."""

from __future__ import annotations

import infra
from tests.conftest import PROJECT_DIR

INFRA = PROJECT_DIR / "infra"


def parts() -> list[str]:
    packages = [f"{p.name}/" for p in sorted(INFRA.iterdir()) if (p / "__init__.py").exists()]
    modules = [p.name for p in sorted(INFRA.glob("*.py")) if p.name not in ("__init__.py", "__main__.py")]
    return packages + modules


def test_the_package_docstring_maps_every_part_of_infra() -> None:
    doc = infra.__doc__ or ""

    assert [p for p in parts() if f"\n    {p}" not in doc] == []


def test_the_readme_layout_lists_every_part_of_infra() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") : readme.index("## Offline plan")]

    assert [p for p in parts() if f"\ninfra/{p}" not in layout] == []
