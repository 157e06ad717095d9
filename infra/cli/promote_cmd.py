"""`heroku-stack promote`: staging to production through the Heroku pipeline, gated, journaled, with rollback."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from infra.cli.common import add_project_dir, exit_code_table, output_dir_problem, project_dir, seconds
from infra.errors import ExitCode, PromotionError
from infra.promote.env import open_env
from infra.promote.journal import DEFAULT_JOURNAL_DIR
from infra.promote.run import Confirm, PromoteRequest, PromotionResult, promote
from infra.promote.session import Timing
from infra.spec.loader import project_name
from infra.spec.manifest import Manifest
from infra.spec.passphrase import passphrase_from_env
from infra.verify.manifests import load_manifests

DESCRIPTION = """\
Promote the build staging runs to production through the stacks' Heroku pipeline, safely:

  1. pre-flight gate (read-only): the environment diff of everything that is not code
     (config var keys, add-on services and plans, buildpacks, stack image, formation,
     features, domains) must differ only where promotion.yaml allows; staging must verify
     clean and healthy on its current release; production must be free of drift; both apps
     must be coupled to the pipeline in the right stages;
  2. confirmation: --yes, or "y" at the prompt (a non-interactive stdin without --yes refuses);
  3. POST /pipeline-promotions, polled until every target is final (any failed target fails);
  4. the new release must succeed and carry staging's slug; post-flight verifies production
     and its health on that release;
  5. if post-flight fails: roll production back to its previous release (a new release),
     check health again. Add-ons and config set since are NOT rolled back.

Every step, request id and outcome goes to a JSON journal as it happens. Run the command
again after an interruption: it reports where production stands and resumes (or rolls back
with --rollback, or closes the journal with --resolve once a person has settled production).
"""


# What each exit code means for a promotion (verify's wording of 0, "every check passed", is not promote's).
PROMOTION_EXITS: dict[ExitCode, str] = {
    ExitCode.OK: "promoted and verified, already up to date, a dry run or status report, or closed by --resolve",
    ExitCode.ERROR: "error: bad input or an API failure before anything was written",
    ExitCode.BLOCKED: ExitCode.BLOCKED.meaning,
    ExitCode.ROLLED_BACK: ExitCode.ROLLED_BACK.meaning,
    ExitCode.NEEDS_ATTENTION: ExitCode.NEEDS_ATTENTION.meaning,
    ExitCode.DECLINED: "declined: no --yes, 'no' at the prompt, or no terminal to ask; nothing was changed",
    ExitCode.ROLLED_BACK_AS_ASKED: ExitCode.ROLLED_BACK_AS_ASKED.meaning,
    ExitCode.LOCKED: ExitCode.LOCKED.meaning,
}
EPILOG = (
    "examples:\n  heroku-stack promote --dry-run\n  heroku-stack promote --yes\n  heroku-stack promote --status\n\n"
    "API: HEROKU_API_URL and HEROKU_API_KEY (or netrc), as every command; health checks go to\n"
    "HEROKU_STACK_ROUTER_URL when set, else to the API itself when it is on loopback (the local\n"
    "sandbox), else to each app's own hostname.\n\n" + exit_code_table(PROMOTION_EXITS)
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "promote",
        help="promote staging's build to production: gated, journaled, with rollback",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--from", dest="source", default="staging", metavar="STACK", help="source stack (staging)")
    parser.add_argument("--to", dest="target", default="production", metavar="STACK", help="target stack (production)")
    parser.add_argument("--dry-run", action="store_true", help="run the gate and print every step; write nothing")
    parser.add_argument("--yes", action="store_true", help="touch production without asking")
    parser.add_argument(
        "--no-rollback",
        dest="rollback",
        action="store_false",
        help="if post-flight fails, leave production to a person",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--status", dest="action", action="store_const", const="status", help="only report an unfinished promotion"
    )
    action.add_argument(
        "--rollback", dest="action", action="store_const", const="rollback", help="roll an unfinished promotion back"
    )
    action.add_argument(
        "--resolve",
        dest="action",
        action="store_const",
        const="resolve",
        help="close an unfinished promotion that a person has settled by hand (no API write)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        action="append",
        default=[],
        help="a stack's `manifest` output (`pulumi stack output manifest --json`), so verification compares "
        "secrets by fingerprint; repeatable, each file names its stack",
    )
    parser.add_argument("--policy", type=Path, default=None, help="promotion policy file (default: promotion.yaml)")
    parser.add_argument(
        "--journal-dir", type=Path, default=None, help=f"where journals go (default: <project>/{DEFAULT_JOURNAL_DIR})"
    )
    parser.add_argument(
        "--promotion-deadline",
        type=seconds,
        default=Timing.promotion_deadline,
        metavar="SECONDS",
        help=f"how long a promotion may take on Heroku (default: {Timing.promotion_deadline:.0f})",
    )
    parser.add_argument(
        "--release-deadline",
        type=seconds,
        default=Timing.release_deadline,
        metavar="SECONDS",
        help=f"how long a new release may stay pending in its release phase (default: {Timing.release_deadline:.0f})",
    )
    parser.add_argument(
        "--health-deadline",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="how long the gate and post-flight wait for health (default: each stack's health deadline_seconds)",
    )
    add_project_dir(parser)
    parser.set_defaults(func=run, action="run")


def run(args: argparse.Namespace) -> ExitCode:
    root = project_dir(args)
    journal_dir: Path = args.journal_dir or root / DEFAULT_JOURNAL_DIR
    problem = output_dir_problem(journal_dir)
    if problem is not None:
        raise PromotionError(f"--journal-dir {journal_dir}: {problem}; nothing was read or changed")
    request = PromoteRequest(
        project_dir=root,
        journal_dir=journal_dir,
        source_stack=args.source,
        target_stack=args.target,
        policy_path=args.policy,
        dry_run=args.dry_run,
        rollback=args.rollback,
        action=args.action,
        passphrase=passphrase_from_env(),
    )
    timing = Timing(promotion_deadline=args.promotion_deadline, release_deadline=args.release_deadline)
    manifests = load_manifests(args.manifest, project=project_name(root), stacks={args.source, args.target})
    confirm = prompt_confirm(yes=args.yes, stdin=sys.stdin, stdout=sys.stdout)
    result = asyncio.run(_promote(request, timing, manifests, confirm, args.health_deadline))
    print(result.message)
    # Outcomes that end in an error are raised as PromotionError and exit through main's boundary.
    return result.outcome.exit_code if result.outcome is not None else ExitCode.OK


async def _promote(
    request: PromoteRequest,
    timing: Timing,
    manifests: Mapping[str, Manifest],
    confirm: Confirm,
    health_deadline: float | None,
) -> PromotionResult:
    async with open_env(timing=timing, manifests=manifests, health_deadline=health_deadline, progress=_progress) as env:
        return await promote(request, env, confirm)


def _progress(line: str) -> None:
    """While the gate or post-flight waits: what for and how long is left, on stderr like `verify`."""
    print(line, file=sys.stderr, flush=True)


def prompt_confirm(*, yes: bool, stdin: TextIO | None, stdout: TextIO) -> Confirm:
    """--yes answers yes; otherwise ask on a terminal; a non-interactive or closed stdin without --yes answers no."""

    def confirm(question: str) -> bool:
        if yes:
            return True
        if stdin is None or stdin.closed or not stdin.isatty():
            print(f"{question} Refusing: stdin is not interactive and --yes was not given.", file=stdout)
            return False
        print(f"{question} [y/N] ", end="", flush=True, file=stdout)
        return stdin.readline().strip().lower() in ("y", "yes")

    return confirm
