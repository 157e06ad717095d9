"""The offline plan and the environment diff: the real program under Pulumi's mock engine.

`plan_stack(stack, project_dir)` gives a `Plan` (every resource `pulumi up` would create,
its key inputs, secrets masked); `diff_plans(a, b)` compares two stacks' plans app by app.
Both are plain data with `to_json()`, rendered for people by `render_text` / `render_diff_text`.
`run_program` is the mock-engine seam itself, for tests and tools that need the raw registrations.
"""

from infra.plan.diff import PlanDiff, diff_plans, render_diff_json, render_diff_text
from infra.plan.engine import ProgramRun, Registration, run_program
from infra.plan.model import Plan, PlannedResource
from infra.plan.planner import plan_spec, plan_stack
from infra.plan.render import render_json, render_text

__all__ = [
    "Plan",
    "PlanDiff",
    "PlannedResource",
    "ProgramRun",
    "Registration",
    "diff_plans",
    "plan_spec",
    "plan_stack",
    "render_diff_json",
    "render_diff_text",
    "render_json",
    "render_text",
    "run_program",
]
