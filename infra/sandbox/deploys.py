"""What deploying code does on the sandbox: the slug a build produces, and the release phase.

Real Heroku runs the app's buildpacks on the source and, when the Procfile declares a
`release` process, runs that command (migrations) before a release becomes current. The
sandbox runs no code, so these are settings: `BuildBehaviour` says which process types a build's
slug declares, whether the build fails, and how long the release phase takes and how it ends.

The behaviour of an app is its own (`PUT /__sandbox/apps/{app}/builds`) or, when it has none,
the sandbox-wide default (`PUT /__sandbox/builds`), so an app created by `pulumi up` midway
through a rehearsal behaves as the test asked before the app existed.

Heroku facts relied on (Dev Center "Release Phase"): the release phase runs for every new
release of a slug whose process types include `release` (deploys, config changes, add-on
changes, rollbacks, promotions); the release stays `pending` while it runs, and its
`output_stream_url` streams the command's output; if the command fails the release is
`failed` and never becomes current, so the app keeps running its previous release and the new
process types do not exist yet.
"""

from __future__ import annotations

import json
import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from infra.sandbox.store import Record, Tx

DEFAULT_PROCESS_TYPES = {"web": "gunicorn app:app --bind 0.0.0.0:$PORT"}
RELEASE_PROCESS = "release"
_DEFAULTS_META_KEY = "build_defaults"


class BuildBehaviour(BaseModel):
    """What builds of an app produce, and what their release phase does.

    `process_types`: the slug's Procfile (default a `web` process). `outcome`: the build itself
    `succeeded` or `failed`. When the slug declares a `release` process, each new release runs it
    for `release_phase_seconds` (sandbox time, at least the sandbox's release delay) and ends as
    `release_phase_outcome`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    process_types: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PROCESS_TYPES))
    outcome: Literal["succeeded", "failed"] = "succeeded"
    release_phase_seconds: float = Field(default=0.0, ge=0, le=86_400)
    release_phase_outcome: Literal["succeeded", "failed"] = "succeeded"

    @field_validator("release_phase_seconds")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number of seconds")
        return value


def default_build_behaviour(tx: Tx) -> BuildBehaviour:
    """The behaviour of apps that have none of their own."""
    raw = tx.get_meta(_DEFAULTS_META_KEY)
    return BuildBehaviour() if raw is None else BuildBehaviour.model_validate_json(raw)


def set_default_build_behaviour(tx: Tx, behaviour: BuildBehaviour) -> None:
    tx.set_meta(_DEFAULTS_META_KEY, behaviour.model_dump_json())


def build_behaviour(tx: Tx, app: Record) -> BuildBehaviour:
    """The app's own behaviour, else the sandbox-wide default."""
    own = app.get("_build")
    return default_build_behaviour(tx) if own is None else BuildBehaviour.model_validate(own)


def release_phase(tx: Tx, app: Record, slug_id: str | None) -> Record | None:
    """The release phase a new release of `slug_id` runs (`{"seconds", "outcome"}`), or None when there is none."""
    slug = tx.get("slug", slug_id) if slug_id else None
    if slug is None or RELEASE_PROCESS not in slug["process_types"]:
        return None
    behaviour = build_behaviour(tx, app)
    return {"seconds": behaviour.release_phase_seconds, "outcome": behaviour.release_phase_outcome}


def release_output(release: Record) -> str:
    """What the release's output stream shows once the release phase has run (or while it runs)."""
    phase = release.get("_phase") or {}
    lines = [f"Running release command for v{release['version']} (sandbox: no command runs)"]
    if release["status"] == "pending":
        lines.append("Release command still running...")
    elif release["status"] == "failed":
        lines.append(f"Release command failed (sandbox release_phase_outcome: {json.dumps(phase.get('outcome'))})")
    else:
        lines.append("Release command exited successfully")
    return "\n".join(lines) + "\n"
