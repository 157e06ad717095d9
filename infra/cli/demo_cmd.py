"""`heroku-stack demo`: the whole loop offline in one command (see `infra.demo`), then what to try next."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from infra.cli.common import add_project_dir, output_dir_problem, port, project_dir
from infra.demo import DEFAULT_PORT, DEMO_TOKEN, Demo, run_demo
from infra.errors import ExitCode, SandboxError
from infra.spec.passphrase import passphrase_from_env

DEMO_DIR = Path(".heroku-stack") / "demo"  # under the project; .gitignore keeps .heroku-stack/ out of git


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="try it offline: rehearse and verify every stack on an embedded Heroku sandbox",
        description="Start the local Heroku sandbox in this process, rehearse `pulumi up` of every stack on it, "
        "verify each, and print what to try next (a hand change, then `drift`). Needs no account, no Pulumi CLI "
        f"and no network; state and manifests go under <project>/{DEMO_DIR}.",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"sandbox port (default {DEFAULT_PORT})")
    add_project_dir(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> ExitCode:
    root = project_dir(args)
    demo_dir = root / DEMO_DIR
    problem = output_dir_problem(demo_dir)
    if problem is not None:
        raise SandboxError(f"demo: {demo_dir} {problem}")
    try:
        demo = asyncio.run(run_demo(root, demo_dir, port=args.port, passphrase=passphrase_from_env()))
    except OSError as err:  # the port is taken, most likely
        raise SandboxError(f"demo: cannot serve the sandbox on port {args.port} ({err}); try --port 0") from None
    for line in next_steps(demo, root):
        print(line)
    clean = all(s.result.exit_code is ExitCode.OK for s in demo.stacks)
    return ExitCode.OK if clean else ExitCode.DRIFT


def next_steps(demo: Demo, root: Path) -> list[str]:
    staging = next((s for s in demo.stacks if s.stack == "staging"), demo.stacks[0])
    manifests = " ".join(f"--manifest {_shown(s.manifest)}" for s in demo.stacks)
    project = f" --project-dir {_shown(root)}" if root.resolve() != Path.cwd().resolve() else ""
    app = staging.apps[0]
    return [
        "",
        "Every stack was rehearsed and verified. Next, change something by hand and catch it:",
        f"  .venv/bin/heroku-stack sandbox --port {demo.base_url.rsplit(':', 1)[1]} --state {_shown(demo.state)} &",
        f"  export HEROKU_API_URL={demo.base_url} HEROKU_API_KEY={DEMO_TOKEN}",
        f"  curl -s -X PATCH -H 'Authorization: Bearer {DEMO_TOKEN}' -H 'Content-Type: application/json' \\",
        f'       -d \'{{"LOG_LEVEL": "WARNING", "FEATURE_X": "on"}}\' $HEROKU_API_URL/apps/{app}/config-vars',
        f"  .venv/bin/heroku-stack drift {manifests}{project}     # exit 1: who changed what, and how to fix it",
        "(or make the change with the real Heroku CLI: HEROKU_HOST=$HEROKU_API_URL heroku config:set ...)",
    ]


def _shown(path: Path) -> str:
    """`path` relative to the current directory when it is beneath it (shorter commands to copy)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
