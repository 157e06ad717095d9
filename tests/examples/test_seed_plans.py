"""docs/seed-plans.md gives every item of both users' deployment plans a row: a home in the stack or a reason.

The plans live in `../shared/seeds/` beside the checkout (not part of the project); without
them the test is skipped, except where HEROKU_STACK_SEEDS_REQUIRED is set (`.ci/run`, whose
clean clone always has them beside it): there their absence is a failure.
"""

from __future__ import annotations

import os
import re

import pytest
import yaml

from tests.conftest import PROJECT_DIR

SEEDS = PROJECT_DIR.parent / "shared" / "seeds"
DOC = PROJECT_DIR / "docs" / "seed-plans.md"
PLANS = ("inventorysync-railway-deployment-plan.md", "shopsentiment-heroku-deployment-plan.md")
TASK = re.compile(r"^- \*\*Task (\d+\.\d+\.\d+)")
ENV_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=")


def plan_text(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        if os.environ.get("HEROKU_STACK_SEEDS_REQUIRED"):
            pytest.fail(f"{path} is missing: .ci/run runs with ../shared beside the checkout")
        pytest.skip(f"{path} is not beside this checkout")
    return path.read_text(encoding="utf-8")


def headings(markdown: str) -> list[str]:
    """Every heading outside code blocks, without its '#'s and emoji."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"^#{1,4} (.+)$", line)):
            text = re.sub(r"[^\w\s.:()&/,+-]", "", match.group(1)).strip()
            found.append(re.sub(r"^\d+\. ", "", text))  # "1. Code Preparation": numbered within its section
    return found[1:]  # the plan's title


def rows(doc: str) -> list[str]:
    return [line.split("|")[1].strip() for line in doc.splitlines() if line.startswith("| ") and "---" not in line]


@pytest.mark.parametrize("plan", PLANS)
def test_every_heading_of_the_plan_has_a_row(plan: str) -> None:
    first_cells = rows(DOC.read_text(encoding="utf-8"))

    missing = [h for h in headings(plan_text(plan)) if not any(cell.startswith(h) for cell in first_cells)]

    assert missing == []


def test_every_shopsentiment_task_has_a_row() -> None:
    tasks = [m.group(1) for line in plan_text(PLANS[1]).splitlines() if (m := TASK.match(line))]
    first_cells = rows(DOC.read_text(encoding="utf-8"))

    assert len(tasks) >= 20
    assert [t for t in tasks if not any(cell.startswith(f"Task {t} ") for cell in first_cells)] == []


def test_every_inventorysync_variable_is_in_the_catalog_or_says_why_not() -> None:
    variables = [m.group(1) for line in plan_text(PLANS[0]).splitlines() if (m := ENV_LINE.match(line))]
    catalog = yaml.safe_load((PROJECT_DIR / "examples" / "inventorysync" / "catalog.yaml").read_text())
    declared = {name for app in catalog["apps"].values() for name in app}
    documented = {cell.strip("`") for cell in rows(DOC.read_text(encoding="utf-8"))}

    assert len(variables) >= 25
    assert [v for v in variables if v not in documented] == []
    assert [v for v in variables if v not in declared and v != "SENTRY_RELEASE"] == []
