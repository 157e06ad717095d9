"""`heroku-stack docs`: regenerate (or check) the README's configuration reference."""

from __future__ import annotations

import argparse
import sys

from infra.cli.common import add_project_dir, project_dir
from infra.errors import ExitCode, SpecError, SpecIssue
from infra.spec.loader import load_catalog
from infra.spec.reference import BEGIN, END, render_reference, splice


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "docs",
        help="regenerate the README's configuration reference from catalog.yaml",
        description="Rewrite the configuration reference section of README.md from catalog.yaml.",
    )
    parser.add_argument("--check", action="store_true", help="only report whether README.md is up to date")
    add_project_dir(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> ExitCode:
    root = project_dir(args)
    readme = root / "README.md"
    if not readme.is_file():
        raise SpecError(
            "README.md",
            None,
            [
                SpecIssue(
                    "",
                    f"not found in {root}: `docs` writes the configuration reference into the project's README, "
                    f"between the lines {BEGIN} and {END}; create a README.md holding them",
                )
            ],
        )
    try:
        current = readme.read_text(encoding="utf-8")
        updated = splice(current, render_reference(load_catalog(root)))
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError("README.md", None, [SpecIssue("", f"cannot be read ({err})")]) from None
    except ValueError as err:
        raise SpecError("README.md", None, [SpecIssue("", f"{err}: add the lines {BEGIN} and {END}")]) from None
    if args.check:
        if updated != current:
            print("README.md's configuration reference is out of date: run `heroku-stack docs`", file=sys.stderr)
            return ExitCode.ERROR
        print("README.md's configuration reference is up to date")
        return ExitCode.OK
    if updated == current:
        print("README.md's configuration reference is already up to date; nothing written")
        return ExitCode.OK
    readme.write_text(updated, encoding="utf-8")
    print("README.md: configuration reference regenerated from catalog.yaml")
    return ExitCode.OK
