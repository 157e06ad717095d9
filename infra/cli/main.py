"""`heroku-stack`: the command line and its single error boundary.

Each area registers its subcommands from its own module (`register(subparsers)`), and
sets `func(args) -> ExitCode`. Only this module turns exceptions into exit codes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from infra.cli.common import exit_code_table
from infra.errors import ExitCode, StackError

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _registrars() -> list[Register]:
    # Imported here so `--help` of one subcommand never pays for another's imports at module load.
    from infra.cli import demo_cmd, docs_cmd, plan_cmd, promote_cmd, rehearse_cmd, sandbox_cmd, verify_cmd

    return [
        demo_cmd.register,
        docs_cmd.register,
        plan_cmd.register,
        rehearse_cmd.register,
        verify_cmd.register,
        promote_cmd.register,
        sandbox_cmd.register,
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heroku-stack",
        description="Heroku environments as a Pulumi stack: plan offline, run the local Heroku sandbox, "
        "verify after `pulumi up`, detect drift, promote staging to production.",
        epilog=exit_code_table(ExitCode),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _registrars():
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return ExitCode.ERROR
    try:
        return int(func(args))
    except StackError as err:
        print(f"error: {err}", file=sys.stderr)
        return int(err.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.ERROR)


if __name__ == "__main__":
    sys.exit(main())
