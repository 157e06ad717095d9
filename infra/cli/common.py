"""Options every subcommand shares, parsed the same way everywhere."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from infra.errors import ExitCode
from infra.spec.loader import PROJECT_FILE

# A command's exit codes: in ExitCode's words, or a mapping where the command words one its own way.
ExitMeanings = Iterable[ExitCode] | Mapping[ExitCode, str]

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


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above 0 (refuses `nan`, `inf`, 0 and negatives)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds above 0 and at most {MAX_SECONDS:.0f} (one day)")
    return value


def port(text: str) -> int:
    """An argparse type: a TCP port, 0 (pick a free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port is 0 (any free port) to 65535")
    return value


MAX_SECONDS = 86_400.0


def output_file_problem(path: Path, *, create_parents: bool) -> str | None:
    """Why `path` cannot be written as a file (None when it can): checked before any work, so a run
    never does everything and then fails to record it."""
    if path.is_dir():
        return "is a directory; give a file path"
    if path.exists() and not os.access(path, os.W_OK):
        return "exists and is not writable"
    ancestor = path.parent
    while not ancestor.exists() and create_parents and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.exists():
        return f"cannot be created: the directory {path.parent} does not exist"
    if not ancestor.is_dir():
        return f"cannot be created: {ancestor} is a file, not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot be created: the directory {ancestor} is not writable"
    return None


def output_dir_problem(path: Path) -> str | None:
    """Why `path` cannot hold files the command writes (None when it can, creating it if need be)."""
    if path.exists() and not path.is_dir():
        return "is a file, not a directory"
    return output_file_problem(path / ".probe", create_parents=True)


def _meanings(codes: ExitMeanings) -> list[tuple[ExitCode, str]]:
    return list(codes.items()) if isinstance(codes, Mapping) else [(code, code.meaning) for code in codes]


def exit_code_table(codes: ExitMeanings) -> str:
    """The `exit codes:` block of a `--help` epilog."""
    return "exit codes:\n" + "\n".join(f"  {code.value}  {meaning}" for code, meaning in _meanings(codes))


def exit_code_markdown(codes: ExitMeanings) -> str:
    """The same codes as a Markdown table (the README's renders `verify`'s)."""
    rows = "\n".join(f"| {code.value} | `{code.name}` | {meaning} |" for code, meaning in _meanings(codes))
    return f"| Exit | Name | Meaning |\n| --- | --- | --- |\n{rows}"
