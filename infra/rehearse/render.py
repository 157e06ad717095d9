"""What `heroku-stack rehearse` prints: a line per resource as it is done (or, previewed, would be), then a summary.

Never a secret value: changed secret inputs are named, not shown.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from infra.rehearse.changes import Step
from infra.rehearse.provider import sends_requests
from infra.rehearse.run import (
    CREATED,
    DECLARED,
    DELETED,
    READ,
    REPLACED,
    UNCHANGED,
    UPDATED,
    Rehearsal,
    RehearsedResource,
)
from infra.rehearse.secret_inputs import DECRYPTED, GENERATED, GIVEN, KEPT

KIND_WIDTH = 14  # "StackReference"
NAME_WIDTH = 36
_PREVIEW_VERBS = {"create": "create", "update": "update", "replace": "replace", "delete": "delete"}


def header(stack: str, project: str, api_url: str, *, preview: bool = False) -> str:
    what = "Previewing" if preview else "Rehearsing"
    verb = "pulumi preview" if preview else "pulumi up"
    return (
        f'{what} `{verb}` of stack "{stack}" (project {project}) against the local Heroku API at {api_url}:\n'
        "the program's offline plan, diffed against the stack's rehearsed state, with the Heroku provider's requests."
    )


def resource_line(resource: RehearsedResource) -> str | None:
    """``created  App  shopsentiment-staging  12 requests  0.1s``; None for Pulumi-only or unchanged resources."""
    if resource.action in (DECLARED, UNCHANGED):
        return None
    plural = "" if resource.requests == 1 else "s"
    changed = f"  ({', '.join(resource.changed)})" if resource.changed else ""
    return (
        f"{resource.action:<9} {resource.kind:<{KIND_WIDTH}} {resource.name:<{NAME_WIDTH}} "
        f"{resource.requests:>3} request{plural:<1}  {resource.seconds:.1f}s{changed}"
    ).rstrip()


def preview_lines(steps: tuple[Step, ...]) -> list[str]:
    """One line per resource a `pulumi up` would change, with the inputs that changed; then the counts."""
    lines = []
    for step in steps:
        if step.action not in _PREVIEW_VERBS:
            continue
        name = step.resource.name if step.resource is not None else step.old.name if step.old is not None else ""
        detail = ""
        if step.action == "replace":
            detail = f"  ({', '.join(step.forces)} cannot change in place)"
        elif step.changed:
            detail = f"  ({', '.join(step.changed)})"
        lines.append(f"  {_PREVIEW_VERBS[step.action]:<8} {step.kind:<{KIND_WIDTH}} {name}{detail}".rstrip())
    counts = Counter(s.action for s in steps if s.action in _PREVIEW_VERBS)
    same = sum(1 for s in steps if s.action == "same" and s.resource is not None and sends_requests(s.resource))
    told = ", ".join(f"{n} to {action}" for action, n in sorted(counts.items())) or "no changes"
    lines.append(f"Preview: {told}; {same} unchanged. Nothing was sent to the API but reads.")
    return lines


def summary(rehearsal: Rehearsal, manifest_out: Path | None) -> list[str]:
    """The closing lines: counts, where each secret's value came from (not the value), the manifest."""
    if rehearsal.previewed:
        lines = preview_lines(rehearsal.steps)
    else:
        counts = [
            _count(len(rehearsal.with_action(action)), noun)
            for action, noun in (
                (CREATED, "created"),
                (UPDATED, "updated"),
                (REPLACED, "replaced"),
                (DELETED, "deleted"),
            )
            if rehearsal.with_action(action)
        ]
        unchanged = len(rehearsal.with_action(UNCHANGED))
        read = rehearsal.with_action(READ)
        read_note = f", {_count(len(read), 'read')}" if read else ""
        did = ", ".join(counts) if counts else "no changes"
        lines = [
            f"Rehearsed: {did} on Heroku ({unchanged} unchanged{read_note}); "
            f"{_count(rehearsal.requests, 'request')} in {rehearsal.seconds:.1f}s."
        ]
    lines += [f"warning: {warning}" for warning in (*rehearsal.plan.warnings, *rehearsal.warnings)]
    sources = rehearsal.secrets.sources
    if sources and not rehearsal.previewed:
        told = {GIVEN: "from --secret", DECRYPTED: "decrypted", KEPT: "as before", GENERATED: "generated at random"}
        listed = ", ".join(f"{path} ({told[source]})" for path, source in sources.items())
        lines.append(f"Secrets set: {listed}. Values are never shown; the manifest holds their fingerprints.")
    if manifest_out is not None and not rehearsal.previewed:
        lines.append(
            f"Manifest (the `manifest` stack output) written to {manifest_out}: "
            f"heroku-stack verify {rehearsal.plan.stack} --manifest {manifest_out}"
        )
    return lines


def _count(n: int, noun: str) -> str:
    if noun in ("created", "updated", "replaced", "deleted", "read"):
        return f"{n} {noun}"
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
