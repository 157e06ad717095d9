"""What `heroku-stack rehearse` prints: a line per resource as it is created, then a summary. Never a secret value."""

from __future__ import annotations

from pathlib import Path

from infra.rehearse.run import CREATED, DECLARED, READ, Rehearsal, RehearsedResource
from infra.rehearse.secret_inputs import DECRYPTED, GENERATED, GIVEN

KIND_WIDTH = 11  # "getPipeline"
NAME_WIDTH = 36


def header(stack: str, project: str, api_url: str) -> str:
    return (
        f'Rehearsing `pulumi up` of stack "{stack}" (project {project}) against the local Heroku API at {api_url}:\n'
        "the program's offline plan, created resource by resource with the Heroku provider's requests."
    )


def resource_line(resource: RehearsedResource) -> str | None:
    """``created  App  shopsentiment-staging  12 requests  0.1s``; None for what exists in Pulumi only."""
    if resource.action == DECLARED:
        return None
    plural = "" if resource.requests == 1 else "s"
    return (
        f"{resource.action:<8} {resource.kind:<{KIND_WIDTH}} {resource.name:<{NAME_WIDTH}} "
        f"{resource.requests:>3} request{plural:<1}  {resource.seconds:.1f}s"
    ).rstrip()


def summary(rehearsal: Rehearsal, manifest_out: Path | None) -> list[str]:
    """The closing lines: counts, where each secret's value came from (not the value), the manifest."""
    created = rehearsal.with_action(CREATED)
    pulumi_only = rehearsal.with_action(DECLARED)
    components = _count(sum(1 for r in pulumi_only if r.kind == "HerokuApp"), "app component")
    read = rehearsal.with_action(READ)
    read_note = f", {_count(len(read), 'data source')} read" if read else ""
    lines = [
        f"Rehearsed: {_count(len(created), 'resource')} created on Heroku{read_note}, "
        f"{_count(rehearsal.requests, 'request')} in {rehearsal.seconds:.1f}s; "
        f"the provider and {components} exist in Pulumi only."
    ]
    for warning in rehearsal.plan.warnings:
        lines.append(f"warning: {warning}")
    sources = rehearsal.secrets.sources
    if sources:
        told = {GIVEN: "from --secret", DECRYPTED: "decrypted", GENERATED: "generated at random"}
        listed = ", ".join(f"{path} ({told[source]})" for path, source in sources.items())
        lines.append(f"Secrets set: {listed}. Values are never shown; the manifest holds their fingerprints.")
    if manifest_out is not None:
        lines.append(
            f"Manifest (the `manifest` stack output) written to {manifest_out}: "
            f"heroku-stack verify {rehearsal.plan.stack} --manifest {manifest_out}"
        )
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
