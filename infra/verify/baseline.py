"""Waiver baselines: accept today's drift on purpose, reviewed and expiring (driftctl's gen-driftignore, done safely).

    heroku-stack drift production --write-waivers waivers.yaml \\
        --owner alice@example.com --reason "hand-made changes from the outage, fixed in PR 812" --expires 2026-03-31

writes one waiver per drift finding of the run (missing, changed or unmanaged; never an
error or pending, which are not drift) with the same owner, reason and expiry, each for its
stack and its exact check id (`exact: true`: that id only, read literally, nothing beneath
it), so the baseline accepts what exists today and nothing that appears later. Drift an
active waiver already covers gets no second entry.

The file is appended to, never overwritten: an existing one is also the run's waivers
file, its text (comments included) is kept, and the result must load as its old waivers
followed by the new ones, else nothing is written. The terms and the file are checked
before any API call. Entries carry check ids, the stack, the terms and a comment with the
finding's summary: findings are redacted when made, so no secret value can reach the file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from infra.errors import WaiverFileError
from infra.verify.checkids import KINDS
from infra.verify.findings import Finding, sort_key
from infra.verify.result import VerificationResult
from infra.verify.waivers import Waiver, apply_waivers, load_waivers

MAX_DAYS = 365  # a waiver that would outlive a year is a declaration: put it in the stack instead
MIN_REASON = 10  # as `Waiver.reason`
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class BaselineTerms:
    """Who accepts the drift, why, and until when: the same for every entry one baseline writes."""

    owner: str
    reason: str
    expires: date


def baseline_terms(owner: str | None, reason: str | None, expires: str | None, *, today: date) -> BaselineTerms:
    """The terms of `--owner`, `--reason`, `--expires`; WaiverFileError naming every flag that is wrong."""
    problems: list[str] = []
    owner, reason = (owner or "").strip(), " ".join((reason or "").split())
    if not _EMAIL.match(owner):
        problems.append(f"--owner: the email address of who answers for these waivers (got {owner!r})")
    if len(reason) < MIN_REASON:
        problems.append(f"--reason: why this drift is acceptable, for the reviewer (at least {MIN_REASON} characters)")
    until = _date(expires)
    last = today + timedelta(days=MAX_DAYS)
    if until is None:
        problems.append(f"--expires: the last day the waivers apply, as YYYY-MM-DD (got {expires!r})")
    elif not today < until <= last:
        problems.append(
            f"--expires: {until.isoformat()} must be after today ({today.isoformat()}) and at most {MAX_DAYS} days "
            f"ahead ({last.isoformat()})"
        )
    if problems or until is None:
        raise WaiverFileError("--write-waivers needs reviewable terms:\n" + "\n".join(f"  - {p}" for p in problems))
    return BaselineTerms(owner=owner, reason=reason, expires=until)


@dataclass(frozen=True)
class Entry:
    """One waiver a baseline writes, with the finding it accepts (for the comment a reviewer reads)."""

    waiver: Waiver
    finding: Finding


def never_baselined(results: Iterable[VerificationResult]) -> list[tuple[str, str]]:
    """(`stack: check id`, why) of every failing check a baseline leaves unwaived: liveness and security."""
    found: list[tuple[str, str]] = []
    for r in results:
        for f in r.findings:
            if f.outcome.is_drift and f.liveness:
                found.append((f"{r.stack}: {f.check_id}", "says the app is not up"))
            elif f.outcome.is_drift and f.security:
                found.append((f"{r.stack}: {f.check_id}", "is someone with access the stack does not grant"))
    return found


def baseline_entries(results: Iterable[VerificationResult], terms: BaselineTerms) -> list[Entry]:
    """One exact waiver per drift finding of a verification check, stack by stack, in report order.

    Pulumi's refresh preview (`pulumi/refresh`) is left out: waivers never apply to it. Liveness
    checks (health, the app's existence, its latest release) are left out too: a broken app is not
    drift to accept, nor security findings (`never_baselined` names both).
    """
    entries: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for result in results:
        for finding in result.findings:
            key = (result.stack, finding.check_id)
            if (
                not finding.outcome.is_drift
                or finding.kind not in KINDS
                or key in seen
                or finding.liveness
                or finding.security
            ):
                continue
            seen.add(key)
            waiver = Waiver(
                check=finding.check_id,
                stack=result.stack,
                exact=True,
                reason=terms.reason,
                owner=terms.owner,
                expires=terms.expires,
            )
            entries.append(Entry(waiver, finding))
    return entries


@dataclass(frozen=True)
class WaiversFile:
    """The file a baseline appends to, as it was before the run: its text ("" if new) and its waivers."""

    path: Path
    text: str
    waivers: tuple[Waiver, ...]


def open_waivers_file(path: Path, *, today: date) -> WaiversFile:
    """Read `path` (if it exists) and prove entries can be appended to it; WaiverFileError otherwise."""
    if not path.exists():
        if not path.parent.is_dir():
            raise WaiverFileError(f"--write-waivers {path}: the directory {path.parent} does not exist")
        return WaiversFile(path, "", ())
    waivers = load_waivers(path)
    text = path.read_text(encoding="utf-8")
    probe = Waiver(check="app/probe", reason="probe of the file's layout", owner="probe@example.com", expires=today)
    with tempfile.TemporaryDirectory() as scratch:
        _checked(Path(scratch) / path.name, _appended(text, [_render(probe)]), (*waivers, probe), path)
    return WaiversFile(path, text, waivers)


def append_waivers(file: WaiversFile, entries: Sequence[Entry], *, today: date) -> None:
    """Append `entries` to the file, atomically; WaiverFileError (file untouched) if it changed meanwhile."""
    if not entries:
        return
    now = file.path.read_text(encoding="utf-8") if file.path.exists() else ""
    if now != file.text:
        raise WaiverFileError(f"{file.path} changed while drift ran; nothing was written, run it again")
    plural = "s" if len(entries) > 1 else ""
    header = f"# Baseline {today.isoformat()}: {len(entries)} drift finding{plural} accepted as found"
    text = _appended(file.text, [header, *(_render(e.waiver, e.finding) for e in entries)])
    handle, scratch = tempfile.mkstemp(dir=file.path.parent, prefix=f".{file.path.name}.", suffix=".tmp")
    os.close(handle)
    staged = Path(scratch)
    try:
        _checked(staged, text, (*file.waivers, *(e.waiver for e in entries)), file.path)
        os.replace(staged, file.path)
    finally:
        staged.unlink(missing_ok=True)


def _date(text: str | None) -> date | None:
    if text is None or not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _render(waiver: Waiver, finding: Finding | None = None) -> str:
    """One list item at indent 0, every string JSON-quoted (a valid YAML scalar: `*.example.com` is not)."""
    lines = []
    if finding is not None:
        who = f" ({finding.attribution.note})" if finding.attribution and finding.attribution.version else ""
        lines.append("# " + " ".join(f"{finding.outcome.value}: {finding.summary}{who}".split()))
    lines += [
        f"- check: {json.dumps(waiver.check)}",
        f"  stack: {json.dumps(waiver.stack)}",
        f"  exact: {json.dumps(waiver.exact)}",
        f"  reason: {json.dumps(waiver.reason)}",
        f"  owner: {json.dumps(waiver.owner)}",
        f"  expires: {waiver.expires.isoformat()}",
    ]
    return "\n".join(lines)


def _appended(text: str, blocks: Sequence[str]) -> str:
    """`text` with `blocks` added at the end of its `waivers:` list, indented like the items already there."""
    if not re.search(r"^waivers:", text, re.M):
        text = (text if not text or text.endswith("\n") else text + "\n") + "waivers:\n"
    items = re.search(r"^( *)- ", text, re.M)
    indent = items.group(1) if items else "  "
    body = "".join(f"{indent}{line}\n" if line else "\n" for block in blocks for line in block.split("\n"))
    return (text if text.endswith("\n") else text + "\n") + body


def _checked(staged: Path, text: str, want: tuple[Waiver, ...], target: Path) -> None:
    staged.write_text(text, encoding="utf-8")
    try:
        got = load_waivers(staged)
    except WaiverFileError:
        got = None
    if got != want:
        raise WaiverFileError(
            f"--write-waivers {target}: new entries cannot be appended to it (its `waivers:` list must be the last "
            "thing in the file, one `- check:` item per waiver); write the baseline to a new file"
        )


def with_waivers(
    results: Sequence[VerificationResult], waivers: Sequence[Waiver], *, today: date
) -> list[VerificationResult]:
    """`results` as a run with `waivers` in force reports them: the drift they cover is waived."""
    return [
        replace(r, findings=tuple(sorted(apply_waivers(r.findings, waivers, stack=r.stack, today=today), key=sort_key)))
        for r in results
    ]
