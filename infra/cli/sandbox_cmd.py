"""`heroku-stack sandbox`: run the local Heroku Platform API emulator on a port, with optional faults."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from infra.cli.common import add_project_dir, port, project_dir
from infra.errors import ExitCode, StackError
from infra.spec.loader import available_stacks, load_stack

DEFAULT_STATE = ".heroku-stack/sandbox.sqlite3"  # under the ignored .heroku-stack/, as every file the tool writes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the local Heroku API sandbox (an emulator of the Platform API)",
        description="Serve a local emulator of the Heroku Platform API, for rehearsing `pulumi up`, verify and "
        "promote offline. State persists in --state; the admin and fault API is under /__sandbox/.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=port, default=5050, help="port to listen on; 0 picks a free one (default: 5050)")
    parser.add_argument(
        "--state",
        default=DEFAULT_STATE,
        help=f"SQLite file holding the sandbox's state, kept across restarts; ':memory:' keeps nothing "
        f"(default: {DEFAULT_STATE})",
    )
    parser.add_argument(
        "--token",
        action="append",
        metavar="TOKEN",
        help="an API token to accept (repeatable); without it any non-empty token is accepted",
    )
    parser.add_argument("--seed", type=int, help="make generated ids, names and hostnames deterministic")
    parser.add_argument(
        "--team",
        action="append",
        metavar="NAME",
        help="a Heroku Team that exists from the start, administered by the sandbox's account (on Heroku a team "
        "is made in the Dashboard, never by `pulumi up`); repeatable; default: the teams the project's stack "
        "files name",
    )
    add_project_dir(parser)
    delays = parser.add_argument_group("delays (seconds before asynchronous changes complete; default 0)")
    for name, what in (
        ("release", "a release goes pending -> succeeded"),
        ("addon", "an add-on goes provisioning -> provisioned"),
        ("build", "a build goes pending -> succeeded"),
        ("promotion", "a promotion goes pending -> completed"),
        ("acm", "a custom domain's ACM certificate goes pending -> cert issued"),
    ):
        delays.add_argument(f"--{name}-delay", type=float, default=0.0, metavar="S", help=what)
    faults = parser.add_argument_group("faults (also changeable at run time: PUT /__sandbox/faults)")
    faults.add_argument("--latency-ms", type=int, default=0, help="added to every Platform API request")
    faults.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 503 (0..1)")
    faults.add_argument("--error-burst", type=int, default=0, help="answer the next N requests 503")
    faults.add_argument("--rate-limit-burst", type=int, default=0, help="answer the next N requests 429")
    faults.add_argument("--retry-after", type=float, help="Retry-After seconds sent with those 429s")
    faults.add_argument("--drop-rate", type=float, default=0.0, help="share of connections dropped mid-answer (0..1)")
    faults.add_argument("--drop-burst", type=int, default=0, help="drop the next N connections")
    faults.add_argument(
        "--drop-match",
        default="",
        metavar="REGEX",
        help="only requests whose 'METHOD /path' matches use up --drop-burst",
    )
    faults.add_argument(
        "--drop-after-apply-burst",
        type=int,
        default=0,
        metavar="N",
        help="carry out the next N writes, then drop the connection instead of answering",
    )
    faults.add_argument(
        "--drop-after-apply-match",
        default="",
        metavar="REGEX",
        help="only writes whose 'METHOD /path' matches, e.g. 'POST /pipeline-promotions'",
    )
    faults.add_argument(
        "--fail-promotion-target",
        action="append",
        default=[],
        metavar="APP",
        help="app id or name whose promotion fails",
    )
    faults.add_argument("--fault-seed", type=int, help="seed for the fault rates (deterministic runs)")
    limits = parser.add_argument_group("rate limit (Heroku: 4500 requests, refilled over an hour)")
    limits.add_argument("--rate-limit-capacity", type=int, default=4500, metavar="N")
    limits.add_argument("--rate-limit-per-second", type=float, default=4500 / 3600, metavar="R")
    parser.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(func=run)


def banner(base_url: str, state: str, token: str) -> str:
    """What a newcomer needs: where it listens, a curl line, and how to point tools at it."""
    accept = shlex.quote("Accept: application/vnd.heroku+json; version=3")
    auth = shlex.quote(f"Authorization: Bearer {token}")
    return "\n".join(
        [
            f"Heroku sandbox listening on {base_url} (state: {state})",
            "",
            "  try it:",
            f"    curl -s -H {accept} -H {auth} {base_url}/apps",
            "  point the heroku-stack client and the Heroku provider at it:",
            f"    export HEROKU_API_URL={base_url}",
            f"    export HEROKU_API_KEY={token}",
            f"    pulumi config set heroku:url {base_url}",
            f"  admin and faults (no token): {base_url}/__sandbox/faults, {base_url}/__sandbox/requests",
            "",
            "Press Ctrl+C to stop.",
        ]
    )


ACCOUNT = "sandbox@example.com"  # SandboxConfig's default account: every unmapped token acts as it


def _project_teams(directory: Path) -> list[str]:
    """The teams the project's stack files name; none when the directory holds no readable project."""
    teams: list[str] = []
    try:
        for stack in available_stacks(directory):
            team = load_stack(stack, directory).team
            if team is not None and team.name not in teams:
                teams.append(team.name)
    except StackError:
        return []
    return teams


def run(args: argparse.Namespace) -> ExitCode:
    # Imported here: `heroku-stack --help` should not load the server stack.
    from pydantic import ValidationError

    from infra.errors import SandboxError
    from infra.sandbox import Delays, Faults, RateLimit, SandboxConfig, create_app
    from infra.sandbox.server import serve_foreground

    try:
        faults = Faults(
            latency_ms=args.latency_ms,
            error_rate=args.error_rate,
            error_burst=args.error_burst,
            rate_limit_burst=args.rate_limit_burst,
            retry_after=args.retry_after,
            drop_rate=args.drop_rate,
            drop_burst=args.drop_burst,
            drop_match=args.drop_match,
            drop_after_apply_burst=args.drop_after_apply_burst,
            drop_after_apply_match=args.drop_after_apply_match,
            fail_promotion_targets=tuple(args.fail_promotion_target),
            seed=args.fault_seed,
        )
    except ValidationError as err:
        problems = "; ".join(
            f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}" for e in err.errors()
        )
        raise SandboxError(f"sandbox: invalid fault setting: {problems}") from None
    delays = (args.release_delay, args.addon_delay, args.build_delay, args.promotion_delay, args.acm_delay)
    if any(delay < 0 for delay in delays):
        raise SandboxError("sandbox: delays must be 0 or more seconds")
    if args.state != ":memory:":
        Path(args.state).parent.mkdir(parents=True, exist_ok=True)  # the default lives under .heroku-stack/
    config = SandboxConfig(
        state_path=args.state,
        tokens=frozenset(args.token) if args.token else None,
        seed=args.seed,
        delays=Delays(
            release=args.release_delay,
            addon=args.addon_delay,
            build=args.build_delay,
            promotion=args.promotion_delay,
            acm=args.acm_delay,
        ),
        rate_limit=RateLimit(capacity=args.rate_limit_capacity, refill_per_second=args.rate_limit_per_second),
        faults=faults,
        teams=dict.fromkeys(args.team if args.team else _project_teams(project_dir(args)), ACCOUNT),
    )
    app = create_app(config)
    token = args.token[0] if args.token else "sandbox"

    def ready(base_url: str) -> None:
        print(banner(base_url, args.state, token), flush=True)
        if config.teams:
            print(f"Heroku Teams: {', '.join(config.teams)} (administered by {ACCOUNT})", flush=True)

    serve_foreground(app, args.host, args.port, ready, log_level=args.log_level)
    print("Heroku sandbox stopped.", file=sys.stderr)
    return ExitCode.OK
