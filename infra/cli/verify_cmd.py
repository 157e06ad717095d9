"""`heroku-stack verify STACK` (right after `pulumi up`) and `heroku-stack drift [STACK ...]` (on a schedule).

Everything the user gives (stack files, waivers, manifests, scope, report targets) is read and
validated before the client is opened, so bad input costs no API call. The client is read-only;
token and URL come from HEROKU_API_KEY / HEROKU_API_URL / netrc, as for every subcommand.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from infra.cli.common import add_project_dir, exit_code_table, output_file_problem, project_dir, seconds
from infra.clock import SystemClock
from infra.errors import ExitCode, ScopeError, WaiverFileError
from infra.heroku.credentials import resolve_base_url
from infra.spec import StackSpec, available_stacks, load_stack
from infra.spec.manifest import Manifest
from infra.spec.passphrase import passphrase_from_env
from infra.verify.account import ACCOUNT_WIDE_FROM
from infra.verify.baseline import (
    MAX_DAYS,
    BaselineTerms,
    WaiversFile,
    append_waivers,
    baseline_entries,
    baseline_terms,
    never_baselined,
    open_waivers_file,
    with_waivers,
)
from infra.verify.checkids import Scope
from infra.verify.drift import verify_stacks
from infra.verify.health import ROUTER_ENV, choose_router
from infra.verify.manifests import load_manifests, manifests_from_pulumi
from infra.verify.reports import ReportTarget, parse_report_target, terminal, write_reports
from infra.verify.result import VerificationResult, combined_exit_code
from infra.verify.run import VerifyOptions, add_waiver_warnings, check_scope
from infra.verify.waivers import Waiver, load_waivers

VERIFY_DESCRIPTION = """\
Compare what Pulumi.STACK.yaml declares with what Heroku runs, right after `pulumi up`:
apps, config vars (secrets by fingerprint with --manifest, else by presence), add-ons and
their attachments, buildpacks, domains and ACM, formation, log drains, features, pipeline
coupling, the latest release, and each app's health URL tied to its current release.

Add-on provisioning, a pending release, ACM certificates and app boot are re-polled one by
one until their deadlines (--no-wait reports them pending at once). Every finding that is
drift says who changed it and when (Heroku's release log) and how to resolve it.
"""

DRIFT_DESCRIPTION = """\
Detect drift in one or more stacks (default: every Pulumi.*.yaml in the project), for a
schedule such as a nightly CI job. Same checks and reports as `verify`, but a snapshot: what
is converging is reported pending and each health URL is asked once (--wait to wait). When the Pulumi CLI
is on PATH, also runs `pulumi refresh --preview-only --expect-no-changes` per stack (never a
state-writing refresh) and folds its result in; without the CLI it says so and goes on.

--write-waivers FILE accepts today's drift on purpose: it appends to FILE (created if missing,
never overwritten, and read as the run's --waivers) one waiver per drift finding (missing,
changed, unmanaged; never an error or pending), each for its stack and exact check id, with
the reviewed --owner, --reason and --expires; the run then reports that drift as waived.
"""

REPORT_HELP = (
    "also write a report: json=PATH (schema: --json-schema), junit=PATH, md=PATH (for $GITHUB_STEP_SUMMARY); "
    "repeatable; PATH - is standard output"
)


# The exit codes a verification can end with; meanings come from the one definition in infra.errors.
VERIFY_EXIT_CODES = (ExitCode.OK, ExitCode.DRIFT, ExitCode.ERROR, ExitCode.PENDING)


def _epilog(example: str) -> str:
    return f"{exit_code_table(VERIFY_EXIT_CODES)}\n\nexample:\n  {example}"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser(
        "verify",
        help="after `pulumi up`: prove Heroku runs exactly what a stack declares",
        description=VERIFY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_epilog(
            "pulumi stack output manifest --json --stack staging > manifest.json\n"
            "  heroku-stack verify staging --manifest manifest.json --report junit=verify.xml"
        ),
    )
    verify.add_argument("stack", metavar="STACK", nargs="?", help="stack name: reads Pulumi.STACK.yaml")
    verify.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="the stack's `manifest` output (`pulumi stack output manifest --json`): compare secrets by fingerprint; "
        "default: that command's output when the Pulumi CLI is on PATH",
    )
    verify.add_argument("--json-schema", action="store_true", help="print the JSON report's schema and exit")
    _shared(verify, waits=True)
    verify.set_defaults(func=run_verify)

    drift = subparsers.add_parser(
        "drift",
        help="scheduled drift detection for one or all stacks",
        description=DRIFT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_epilog(
            'heroku-stack drift --waivers waivers.yaml --report md="$GITHUB_STEP_SUMMARY"\n'
            "  heroku-stack drift production --write-waivers waivers.yaml --owner alice@example.com \\\n"
            '      --reason "hand-made changes from the outage, fixed in PR 812" --expires 2026-03-31'
        ),
    )
    drift.add_argument("stacks", metavar="STACK", nargs="*", help="stacks to check (default: all in the project)")
    drift.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        action="append",
        default=[],
        help="a stack's `manifest` output; repeatable (each file names its stack); stacks without one read it "
        "with `pulumi stack output manifest` when the Pulumi CLI is on PATH",
    )
    drift.add_argument(
        "--no-pulumi-refresh",
        action="store_true",
        help="skip `pulumi refresh --preview-only --expect-no-changes` even when the Pulumi CLI is installed",
    )
    _shared(drift, waits=False)
    baseline = drift.add_argument_group("baseline (accept today's drift as reviewed, expiring waivers)")
    baseline.add_argument(
        "--write-waivers",
        type=Path,
        metavar="FILE",
        help="append one exact waiver per drift finding to FILE (created if missing, never overwritten, read as "
        "--waivers); needs --owner, --reason and --expires, checked before any API call",
    )
    baseline.add_argument("--owner", metavar="EMAIL", help="who answers for the waivers")
    baseline.add_argument("--reason", metavar="TEXT", help="why the drift is acceptable, for the reviewer")
    baseline.add_argument(
        "--expires",
        metavar="YYYY-MM-DD",
        help=f"last day the waivers apply: after today, at most {MAX_DAYS} days ahead",
    )
    drift.set_defaults(func=run_drift)


def count_of_apps(text: str) -> int:
    """An argparse type: a whole number of apps, at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of apps, at least 1")
    return int(text)


def _shared(parser: argparse.ArgumentParser, *, waits: bool) -> None:
    """Options verify and drift share; `waits`: whether the command waits for convergence by default."""
    parser.add_argument(
        "--app", action="append", metavar="KEY", help="only this app key (repeatable); nothing else is read from Heroku"
    )
    parser.add_argument(
        "--check",
        action="append",
        metavar="GLOB",
        help="only checks matching this id glob, e.g. 'web/config/*' or '*/health' (repeatable); "
        "collections no selected check needs are not read",
    )
    parser.add_argument(
        "--waivers",
        type=Path,
        metavar="FILE",
        help="reviewed waivers (YAML: check, reason, owner, expires); validated before any API call",
    )
    parser.add_argument("--report", action="append", default=[], metavar="FORMAT=PATH", help=REPORT_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help="list passing checks too")
    parser.add_argument("-q", "--quiet", action="store_true", help="no terminal report (exit code and --report only)")
    if waits:
        parser.add_argument(
            "--no-wait",
            dest="wait",
            action="store_false",
            help="do not wait for converging checks: report them pending at once, health asked once",
        )
    else:
        parser.add_argument(
            "--wait",
            action="store_true",
            help="wait for converging checks and failing health until their deadlines, as `verify` does "
            "(default: a snapshot, health asked once)",
        )
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="cap every check's deadline at SECONDS")
    parser.add_argument(
        "--account-wide-from",
        type=count_of_apps,
        default=ACCOUNT_WIDE_FROM,
        metavar="N",
        help="from N apps in scope, read apps, add-ons, attachments and couplings once for the account instead of "
        f"once per app (default {ACCOUNT_WIDE_FROM}; fewer requests of the 4,500 an hour; raise it for a few apps "
        "in an account of thousands)",
    )
    parser.add_argument(
        "--router-url",
        metavar="URL",
        help=f"send health requests to this URL with the app's Host header; env {ROUTER_ENV}; default: the API "
        "itself when HEROKU_API_URL is on loopback (the local sandbox), else each app's own hostname",
    )
    add_project_dir(parser)


# --- verify / drift ---------------------------------------------------------------------------


def run_verify(args: argparse.Namespace) -> ExitCode:
    if args.json_schema:
        from infra.verify.reports.schema import REPORT_SCHEMA

        print(json.dumps(REPORT_SCHEMA, indent=2))
        return ExitCode.OK
    if not args.stack:
        raise ScopeError("verify needs a STACK (e.g. `heroku-stack verify staging`)")
    directory = project_dir(args)
    spec = load_stack(args.stack, directory, passphrase=passphrase_from_env())
    manifests = load_manifests([args.manifest] if args.manifest else [], project=spec.project, stacks={spec.stack})
    manifests = _with_pulumi_manifests(args, [spec], manifests, directory)
    return _run(args, [spec], manifests, refresh_dir=None, baseline=None)


def run_drift(args: argparse.Namespace) -> ExitCode:
    directory = project_dir(args)
    names = args.stacks or available_stacks(directory)
    if not names:
        raise ScopeError(f"no stack files (Pulumi.<stack>.yaml) in {directory}")
    passphrase = passphrase_from_env()
    specs = [load_stack(name, directory, passphrase=passphrase) for name in names]
    manifests = load_manifests(args.manifest, project=specs[0].project, stacks={s.stack for s in specs})
    manifests = _with_pulumi_manifests(args, specs, manifests, directory)
    baseline = _baseline(args)
    return _run(args, specs, manifests, refresh_dir=None if args.no_pulumi_refresh else directory, baseline=baseline)


def _with_pulumi_manifests(
    args: argparse.Namespace, specs: Sequence[StackSpec], given: Mapping[str, Manifest], directory: Path
) -> dict[str, Manifest]:
    """`given`, plus the `manifest` output of every other stack from the Pulumi CLI (when on PATH); says which."""
    missing = [s.stack for s in specs if s.stack not in given]
    found, notes = manifests_from_pulumi(missing, project=specs[0].project, cwd=directory) if missing else ({}, [])
    if not args.quiet:
        for note in notes:
            print(note, file=sys.stderr, flush=True)
    return {**given, **found}


def _run(
    args: argparse.Namespace,
    specs: list[StackSpec],
    manifests: Mapping[str, Manifest],
    *,
    refresh_dir: Path | None,
    baseline: tuple[BaselineTerms, WaiversFile] | None,
) -> ExitCode:
    scope = _scope(args, specs)
    waivers: tuple[Waiver, ...] = ()
    if baseline is not None:  # the file a baseline appends to is the run's waivers file, already read
        waivers = baseline[1].waivers
    elif args.waivers:
        waivers = load_waivers(args.waivers)
    targets: list[ReportTarget] = []
    for text in args.report:
        try:
            target = parse_report_target(text)
        except ValueError as err:
            raise ScopeError(f"--report {err}") from None
        problem = None if target.path == "-" else output_file_problem(Path(target.path), create_parents=True)
        if problem is not None:
            raise ScopeError(f"--report {text}: {target.path} {problem}")
        targets.append(target)
    to_stdout = any(t.path == "-" for t in targets)
    progress_stream = sys.stderr

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=progress_stream, flush=True)

    router = choose_router(args.router_url, api_url=resolve_base_url())
    if router is not None and not args.quiet:
        progress(router.describe())
    base = VerifyOptions(
        scope=scope,
        waivers=waivers,
        wait=args.wait,
        max_wait=args.timeout,
        router_url=router.url if router else None,
        progress=progress,
        account_wide_from=args.account_wide_from,
    )
    results = asyncio.run(verify_stacks(specs, manifests, base, refresh_dir=refresh_dir))
    if baseline is not None:
        today = results[0].started_at.date()
        accepted = _write_baseline(results, *baseline, today=today, quiet=args.quiet)
        results, waivers = with_waivers(results, accepted, today=today), (*waivers, *accepted)
    results = add_waiver_warnings(results, waivers, scope)
    write_reports(results, targets)
    if not args.quiet:
        print(terminal.render(results, verbose=args.verbose), end="", file=sys.stderr if to_stdout else sys.stdout)
    return combined_exit_code(results)


def _write_baseline(
    results: Sequence[VerificationResult], terms: BaselineTerms, file: WaiversFile, *, today: date, quiet: bool
) -> list[Waiver]:
    entries = baseline_entries(results, terms)
    append_waivers(file, entries, today=today)
    for check, why in never_baselined(results):  # even with --quiet: this drift will fail the next run too
        print(
            f"not waived: {check} {why}; a baseline never hides that (fix it, or write an explicit waiver with "
            "an owner and an expiry)",
            file=sys.stderr,
        )
    if not quiet:
        if entries:
            plural = "s" if len(entries) > 1 else ""
            note = f"appended {len(entries)} waiver{plural} to {file.path} (owner {terms.owner}, expires "
            print(f"{note}{terms.expires.isoformat()}); review and commit it", file=sys.stderr)
        else:
            print(f"no drift to waive; {file.path} was left as it was", file=sys.stderr)
    return [e.waiver for e in entries]


# --- input ------------------------------------------------------------------------------------


def _baseline(args: argparse.Namespace) -> tuple[BaselineTerms, WaiversFile] | None:
    """--write-waivers and its terms, checked (with the file it appends to) before any API call."""
    if args.write_waivers is None:
        given = [flag for flag in ("owner", "reason", "expires") if getattr(args, flag) is not None]
        if given:
            raise WaiverFileError(f"{', '.join('--' + g for g in given)}: only with --write-waivers FILE")
        return None
    if args.waivers is not None and args.waivers.resolve() != args.write_waivers.resolve():
        raise WaiverFileError(
            f"--write-waivers {args.write_waivers} appends to that file and reads it as the run's waivers; "
            f"--waivers {args.waivers} names another: give the same file, or leave --waivers out"
        )
    today = SystemClock().now().date()
    terms = baseline_terms(args.owner, args.reason, args.expires, today=today)
    return terms, open_waivers_file(args.write_waivers, today=today)


def _scope(args: argparse.Namespace, specs: Sequence[StackSpec]) -> Scope:
    from infra.verify.checkids import PatternError

    try:
        scope = Scope.of(apps=args.app, checks=args.check or ())
    except PatternError as err:
        raise ScopeError(f"--check: {err}") from None
    if scope.apps is not None:
        for spec in specs:
            check_scope(spec, scope)
    return scope
