"""`heroku-stack plan STACK` and `heroku-stack diff STACK_A STACK_B`: the offline plan and environment diff."""

from __future__ import annotations

import argparse
import sys

from infra.cli.common import add_project_dir, project_dir
from infra.errors import ExitCode
from infra.plan.diff import diff_plans, render_diff_json, render_diff_text
from infra.plan.planner import plan_stack
from infra.plan.render import render_json, render_text

PLAN_DESCRIPTION = """\
Print every resource `pulumi up` would create for STACK (Pulumi.STACK.yaml), with its key
inputs, without the Pulumi CLI, the Heroku provider plugin, an account or the network: the
project's real Pulumi program runs under the Pulumi SDK's mock engine.

Secrets stay encrypted and show as [secret]; <Kind name> marks a value another resource
provides during `pulumi up`. The provider settings shown are the stack file's heroku:url and
heroku:apiKey; the environment (HEROKU_API_KEY, HEROKU_API_URL) is not read.
"""

DIFF_DESCRIPTION = """\
Compare the plans of two stacks (e.g. staging and production), offline: what a promotion
from STACK_A to STACK_B would NOT carry, since a pipeline promotion copies code only.
Apps pair by app key, resources by role (addon <service>, formation <type>, feature <name>,
domain <hostname>, ...). Heroku names differ by design and are left out; secret values are
never compared, only which secrets each stack sets.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = subparsers.add_parser(
        "plan",
        help="offline plan: every resource `pulumi up` would create for a stack",
        description=PLAN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: heroku-stack plan staging --json > plan.json",
    )
    plan.add_argument("stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON (schema heroku-stack/plan@1)")
    add_project_dir(plan)
    plan.set_defaults(func=run_plan)

    diff = subparsers.add_parser(
        "diff",
        help="offline environment diff: what differs between two stacks' plans",
        description=DIFF_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: heroku-stack diff staging production",
    )
    diff.add_argument("left", metavar="STACK_A", help="first stack, e.g. staging")
    diff.add_argument("right", metavar="STACK_B", help="second stack, e.g. production")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON (schema heroku-stack/plan-diff@1)")
    add_project_dir(diff)
    diff.set_defaults(func=run_diff)


def run_plan(args: argparse.Namespace) -> ExitCode:
    plan = plan_stack(args.stack, project_dir(args))
    sys.stdout.write(render_json(plan) if args.json else render_text(plan))
    return ExitCode.OK


def run_diff(args: argparse.Namespace) -> ExitCode:
    root = project_dir(args)
    diff = diff_plans(plan_stack(args.left, root), plan_stack(args.right, root))
    sys.stdout.write(render_diff_json(diff) if args.json else render_diff_text(diff))
    return ExitCode.OK
