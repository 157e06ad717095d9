"""`heroku-stack docs`: regenerate (or check) the README's configuration reference."""

from __future__ import annotations

import argparse
import sys

from infra.cli.common import add_project_dir, project_dir
from infra.errors import ExitCode, SpecError, SpecIssue
from infra.spec.loader import load_catalog
from infra.spec.reference import render_reference, splice


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
    current = readme.read_text(encoding="utf-8")
    try:
        updated = splice(current, render_reference(load_catalog(root)))
    except ValueError as err:
        raise SpecError("README.md", None, [SpecIssue("", str(err))]) from None
    if args.check:
        if updated != current:
            print("README.md's configuration reference is out of date: run `heroku-stack docs`", file=sys.stderr)
            return ExitCode.ERROR
        print("README.md's configuration reference is up to date")
        return ExitCode.OK
    readme.write_text(updated, encoding="utf-8")
    print("README.md: configuration reference regenerated from catalog.yaml")
    return ExitCode.OK
