"""The exit codes are documented from one definition: `--help` and the README render `infra.errors.ExitCode`."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli.common import exit_code_markdown, exit_code_table
from infra.cli.main import build_parser
from infra.cli.verify_cmd import VERIFY_EXIT_CODES


def test_the_readme_exit_code_table_is_the_rendered_definition(project_dir: Path) -> None:
    readme = (project_dir / "README.md").read_text()
    begin, end = "<!-- verify-exit-codes:begin -->\n", "\n<!-- verify-exit-codes:end -->"

    assert readme[readme.index(begin) + len(begin) : readme.index(end)] == exit_code_markdown(VERIFY_EXIT_CODES)


@pytest.mark.parametrize("command", ["verify", "drift"])
def test_help_lists_the_exit_codes(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])

    assert exit_code_table(VERIFY_EXIT_CODES) in capsys.readouterr().out
