"""Options every subcommand shares, parsed the same way everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path

from infra.spec.loader import PROJECT_FILE

PACKAGE_PROJECT_DIR = Path(__file__).resolve().parents[2]


def add_project_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="directory holding Pulumi.yaml and the stack files (default: the current directory "
        "when it has a Pulumi.yaml, else this checkout)",
    )


def project_dir(args: argparse.Namespace) -> Path:
    given: Path | None = getattr(args, "project_dir", None)
    if given is not None:
        return given
    cwd = Path.cwd()
    return cwd if (cwd / PROJECT_FILE).exists() else PACKAGE_PROJECT_DIR
