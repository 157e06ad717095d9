"""`heroku-stack plan STACK` and `heroku-stack diff STACK_A STACK_B`: the offline plan and environment diff."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from infra.cli.common import add_project_dir, exit_code_table, project_dir
from infra.errors import ExitCode, SpecError, SpecIssue
from infra.plan.baseline import changed_since, check_revision, in_git_work_tree, plan_at
from infra.plan.diff import diff_plans, render_diff_text
from infra.plan.model import Plan
from infra.plan.planner import plan_stack
from infra.plan.render import changes_json, render_changes, render_text
from infra.plan.replacements import Hazard, ResourceChange, changes_between, hazards
from infra.policy import evaluate, load_config, render_violations
from infra.spec.loader import stack_file

PLAN_DESCRIPTION = """\
Print every resource `pulumi up` would create for STACK (Pulumi.STACK.yaml), with its key
inputs, without the Pulumi CLI, the Heroku provider plugin, an account or the network: the
project's real Pulumi program runs under the Pulumi SDK's mock engine.

Secrets stay encrypted and show as [secret]; <Kind name> marks a value another resource
provides during `pulumi up`. The provider settings shown are the stack file's heroku:url and
heroku:apiKey; the environment (HEROKU_API_KEY, HEROKU_API_URL) is not read.

When the stack file (or catalog.yaml) differs from the git revision --since (default HEAD), the
plan ends with what the edit would do on `pulumi up`: each resource created, updated, replaced
(an input the Heroku provider cannot change in place) or deleted. A change that would replace or
delete an app or a data add-on (its data is lost) or remove a process type (its dynos keep
running and billing) is refused with exit 4, with the safe way to make it.

The guardrail policies (the CrossGuard pack in policy/, which `pulumi preview --policy-pack
policy/` runs) are evaluated on the plan: each violation is printed with its level, and a
mandatory one exits 10. Levels and thresholds per stack: policy.STACK.json beside the stack file
(Pulumi's --policy-pack-config format).
"""

PLAN_EXITS = {
    ExitCode.OK: "the plan was printed (and no change refused)",
    ExitCode.ERROR: "a bad or unknown stack, --since revision, or a program failure under the mock engine",
    ExitCode.BLOCKED: "a change since --since would lose data or leave dynos running (listed as REFUSED)",
    ExitCode.POLICY_VIOLATION: "a mandatory guardrail policy is violated (listed as MANDATORY)",
}

DIFF_DESCRIPTION = """\
Compare the plans of two stacks (e.g. staging and production), offline: what a promotion
from STACK_A to STACK_B would NOT carry, since a pipeline promotion copies code only.
Apps pair by app key, resources by role (addon <service>, formation <type>, feature <name>,
domain <hostname>, ...). Heroku names differ by design and are left out; secret values are
never compared, only which secrets each stack sets.

STACK@REV is the stack as committed at a git revision: `diff production@v1.4.0 production`
compares the stack with itself and also says what `pulumi up` would do to it (create, update,
replace, delete), refusing with exit 4 a change that would lose data or leave dynos running.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = subparsers.add_parser(
        "plan",
        help="offline plan: every resource `pulumi up` would create for a stack",
        description=PLAN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  heroku-stack plan staging --json > plan.json\n"
        "  heroku-stack plan production --since v1.4.0   # what changed since the deployed tag\n\n"
        + exit_code_table(PLAN_EXITS),
    )
    plan.add_argument("stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON (schema heroku-stack/plan@1)")
    plan.add_argument(
        "--since",
        metavar="REV",
        default=None,
        help="git revision to compare the stack file with (default HEAD, when the project is in a git work tree)",
    )
    plan.add_argument("--no-compare", action="store_true", help="print the plan only, comparing with no revision")
    add_project_dir(plan)
    plan.set_defaults(func=run_plan)

    diff = subparsers.add_parser(
        "diff",
        help="offline environment diff: what differs between two stacks' plans",
        description=DIFF_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  heroku-stack diff staging production\n  heroku-stack diff production@HEAD production",
    )
    diff.add_argument("left", metavar="STACK_A", help="first stack, e.g. staging (STACK@REV: as committed at REV)")
    diff.add_argument("right", metavar="STACK_B", help="second stack, e.g. production (STACK@REV too)")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON (schema heroku-stack/plan-diff@1)")
    add_project_dir(diff)
    diff.set_defaults(func=run_diff)


def run_plan(args: argparse.Namespace) -> ExitCode:
    root = project_dir(args)
    plan = plan_stack(args.stack, root)
    violations = evaluate(plan, load_config(root, args.stack))
    compared = None if args.no_compare else compare_with_revision(args.stack, root, plan, args.since)
    if args.json:
        document = plan.to_json()
        if compared is not None:
            document["since"] = changes_json(*compared)
        document["policy_violations"] = [asdict(v) for v in violations]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(plan))
        if compared is not None:
            since, changes, found = compared
            sys.stdout.write("\n" + render_changes(since, stack_file(root, args.stack).name, changes, found))
        sys.stdout.write("\n" + render_violations(violations))
    if compared is not None and compared[2]:
        return ExitCode.BLOCKED
    return ExitCode.POLICY_VIOLATION if any(v.level == "mandatory" for v in violations) else ExitCode.OK


def compare_with_revision(
    stack: str, root: Path, plan: Plan, since: str | None
) -> tuple[str, list[ResourceChange], list[Hazard]] | None:
    """What the stack file's edit since `since` (default HEAD) would do; None when there is nothing to compare."""
    if since is not None:
        check_revision(root, since)
    elif not in_git_work_tree(root):
        return None
    revision = since or "HEAD"
    if since is None and not changed_since(stack, root, revision):
        return None
    before = plan_at(stack, root, revision)
    if before is None:
        return None  # a new stack: everything is created, as the plan says
    changes = changes_between(before, plan)
    return revision, changes, hazards(changes, before)


def run_diff(args: argparse.Namespace) -> ExitCode:
    root = project_dir(args)
    (left_stack, left_rev), (right_stack, right_rev) = _stack_at(args.left), _stack_at(args.right)
    left, right = _plan_at(left_stack, root, left_rev), _plan_at(right_stack, root, right_rev)
    diff = diff_plans(left, right)
    same_stack = left_stack == right_stack
    changes = changes_between(left, right) if same_stack else []
    found = hazards(changes, left) if same_stack else []
    since = left_rev or "the working tree"
    if args.json:
        document = diff.to_json()
        if same_stack:
            document["since"] = changes_json(since, changes, found)
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(render_diff_text(diff))
        if same_stack:
            sys.stdout.write("\n" + render_changes(since, stack_file(root, left_stack).name, changes, found))
    return ExitCode.BLOCKED if found else ExitCode.OK


def _stack_at(argument: str) -> tuple[str, str | None]:
    stack, sep, revision = argument.partition("@")
    return stack, (revision or None) if sep else None


def _plan_at(stack: str, root: Path, revision: str | None) -> Plan:
    if revision is None:
        return plan_stack(stack, root)
    check_revision(root, revision)
    plan = plan_at(stack, root, revision)
    if plan is None:
        raise SpecError(f"Pulumi.{stack}.yaml", stack, [SpecIssue("", f"the stack file did not exist at {revision}")])
    return plan
