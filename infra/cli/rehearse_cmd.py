"""`heroku-stack rehearse STACK`: `pulumi up` rehearsed against the local Heroku sandbox, without the Pulumi CLI.

Everything given is checked before the first request: the stack file, `--secret` paths, where
the manifest goes, and that the API URL (HEROKU_API_URL, as for every subcommand) is loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Mapping
from pathlib import Path

from infra.cli.common import add_project_dir, exit_code_table, output_file_problem, project_dir
from infra.clock import SystemClock
from infra.errors import ExitCode, RehearsalError
from infra.heroku import HerokuClient, resolve_base_url
from infra.rehearse import Rehearsal, RehearsedResource, parse_secret_args, rehearse, require_loopback
from infra.rehearse.profiles import load_profiles
from infra.rehearse.render import header, resource_line, summary
from infra.rehearse.run import DEFAULT_PARALLEL
from infra.rehearse.secret_inputs import check_secret_paths
from infra.sandbox.profiles import AppProfile
from infra.spec import load_stack
from infra.spec.models import StackSpec
from infra.spec.passphrase import passphrase_from_env

DESCRIPTION = """\
Rehearse `pulumi up` of STACK against a local Heroku API (`heroku-stack sandbox`), without the
Pulumi CLI or the Heroku provider plugin. The project's real Pulumi program runs under the SDK's
mock engine (as for `heroku-stack plan`); the resources it registers are diffed against what the
last rehearsal of STACK left (kept by the sandbox, like a Pulumi stack's state) and then created,
updated in place, replaced or deleted with the requests terraform-provider-heroku v5.2.10 sends,
including its waits (releases, add-on provisioning, builds), independent resources concurrently.
An unchanged stack sends no write; a protected resource that would be replaced or deleted stops
the run before its first write. --preview prints what would change and writes nothing.
Afterwards `heroku-stack verify`, `drift` and `promote` work on the sandbox.

Only a loopback API URL is accepted (127.0.0.0/8, ::1, localhost): real Heroku gets `pulumi up`.
API URL and token come from HEROKU_API_URL and HEROKU_API_KEY (or netrc), as for every command.

Secrets: the stack file holds only ciphertext, so give values with --secret PATH=VALUE (the
path `pulumi config set --secret --path` takes); the others keep the value the last rehearsal
set, or get random ones. No value is ever printed; --manifest-out writes the `manifest` stack
output with their fingerprints.
"""

REHEARSE_EXITS = (ExitCode.OK, ExitCode.ERROR)
REHEARSED = "rehearsed: the stack is what the program declares (--preview: the changes were printed)"
EPILOG = (
    "example:\n"
    "  heroku-stack sandbox --port 5050 &\n"
    "  export HEROKU_API_URL=http://127.0.0.1:5050 HEROKU_API_KEY=sandbox\n"
    "  heroku-stack rehearse staging --manifest-out staging.json\n"
    "  heroku-stack rehearse staging --preview      # after editing Pulumi.staging.yaml\n\n"
    + exit_code_table({code: REHEARSED if code is ExitCode.OK else code.meaning for code in REHEARSE_EXITS})
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rehearse",
        help="rehearse `pulumi up` of a stack against the local Heroku sandbox (no Pulumi CLI)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml")
    parser.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="a secret's value, e.g. apps.web.secrets.SECRET_KEY=...; repeatable; unset secrets get random values",
    )
    parser.add_argument(
        "--manifest-out",
        type=Path,
        metavar="FILE",
        help="write the `manifest` stack output (for verify/drift/promote --manifest) to FILE",
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="print what `pulumi up` would create, update, replace or delete (and the inputs that changed); no write",
    )
    parser.add_argument(
        "--parallel",
        type=positive_int,
        default=DEFAULT_PARALLEL,
        metavar="N",
        help=f"resource operations at once, as `pulumi up --parallel` (default {DEFAULT_PARALLEL}: 4 per CPU)",
    )
    add_project_dir(parser)
    parser.set_defaults(func=run_rehearse)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def run_rehearse(args: argparse.Namespace) -> ExitCode:
    given = parse_secret_args(args.secret)
    spec = load_stack(args.stack, project_dir(args), passphrase=passphrase_from_env())
    check_secret_paths(spec, given)
    manifest_out: Path | None = args.manifest_out
    problem = None if manifest_out is None else output_file_problem(manifest_out, create_parents=True)
    if problem is not None:  # checked before the first write: the manifest is the only record of random secrets
        raise RehearsalError(f"--manifest-out {manifest_out}: {problem}; nothing was rehearsed")
    api_url = resolve_base_url()
    require_loopback(api_url)
    print(header(spec.stack, spec.project, api_url, preview=args.preview), flush=True)
    profiles = load_profiles(project_dir(args))
    rehearsal = asyncio.run(_rehearse(spec, given, preview=args.preview, parallel=args.parallel, profiles=profiles))
    if manifest_out is not None and not rehearsal.previewed:
        manifest_out.parent.mkdir(parents=True, exist_ok=True)
        manifest_out.write_text(json.dumps(rehearsal.manifest.document(), indent=2) + "\n", encoding="utf-8")
    for line in summary(rehearsal, manifest_out):
        print(line)
    return ExitCode.OK


async def _rehearse(
    spec: StackSpec, given: dict[str, str], *, preview: bool, parallel: int, profiles: Mapping[str, AppProfile]
) -> Rehearsal:
    def show(resource: RehearsedResource) -> None:
        line = resource_line(resource)
        if line is not None and not preview:
            print(line, flush=True)

    clock = SystemClock()
    async with HerokuClient(clock=clock) as heroku:
        return await rehearse(
            heroku, spec, clock, secrets=given, on_resource=show, preview=preview, parallel=parallel, profiles=profiles
        )
