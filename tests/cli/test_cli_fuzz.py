"""Generated arguments and stack files: the CLI always ends with a documented exit code and at most one
error line, never a traceback.

Inputs are a subcommand with generated stack names and option values, run against a project
whose stack file is generated too (YAML built from random data, or random text). Nothing can
reach Heroku: the test environment has no token, and `rehearse` accepts only loopback.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.cli.main import main
from infra.errors import ExitCode

DOCUMENTED = {int(code) for code in ExitCode}
FILES = ("Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml", "catalog.yaml", "promotion.yaml")

names = st.one_of(
    st.sampled_from(["staging", "production", "fuzz", "..", "a/../b", "x" * 300, ""]),
    st.text(min_size=0, max_size=30),
)
values = st.one_of(
    st.sampled_from(["nan", "-1", "inf", "0", "1e309", "10", "json=-", "md=/", "junit=", "=x", "/dev/null"]),
    st.text(max_size=40),
)
yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
stack_files = st.one_of(
    yaml_values.map(lambda v: yaml.safe_dump({"config": {"shopsentiment:apps": v}})),
    st.dictionaries(st.sampled_from(["config", "encryptionsalt", "shopsentiment:stage", "x"]), yaml_values).map(
        yaml.safe_dump
    ),
    st.text(max_size=200),
)
commands = st.one_of(
    st.tuples(st.just(["plan"]), names, st.sampled_from([[], ["--json"], ["--no-compare"], ["--since", "HEAD~999"]])),
    st.tuples(st.just(["diff"]), names, names.map(lambda n: [n])),
    st.tuples(st.just(["verify"]), names, values.map(lambda v: ["--timeout", v])),
    st.tuples(st.just(["verify"]), names, values.map(lambda v: ["--report", v])),
    st.tuples(st.just(["drift"]), names, values.map(lambda v: ["--check", v])),
    st.tuples(st.just(["promote", "--dry-run"]), values, values.map(lambda v: ["--promotion-deadline", v])),
    st.tuples(st.just(["rehearse", "--preview"]), names, values.map(lambda v: ["--secret", v])),
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=commands, stack_file=stack_files)
def test_every_generated_input_ends_in_a_documented_code_and_one_error_line(
    project_dir: Path, command: tuple[list[str], str, list[str]], stack_file: str
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        for name in FILES:
            shutil.copy(project_dir / name, project / name)
        (project / "Pulumi.fuzz.yaml").write_text(stack_file, encoding="utf-8")
        head, stack, options = command
        argv = [
            *head,
            *([stack] if head[0] != "promote" else ["--from", stack]),
            *options,
            "--project-dir",
            str(project),
        ]
        err = io.StringIO()
        out = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse refusing an argument: its usage line and one error line
                code = int(exit_.code or 0)

    text = err.getvalue()
    assert "Traceback" not in text
    assert code in DOCUMENTED, (argv, code, text)
    error_lines = [line for line in text.splitlines() if "error:" in line]
    assert len(error_lines) <= 1, (argv, text)
    if code == ExitCode.ERROR:
        assert len(error_lines) == 1, (argv, text)
