"""A project's `sandbox.yaml`: how each of its apps behaves on the local sandbox, installed by the rehearsal.

The sandbox runs no code, so a stack's health expectations (InventorySync's API answers
`{"status": "healthy"}`, a Prometheus `/metrics`) and its Procfile (a `release:` migration that
takes a while) are described here, per app key, as the app's stand-in:

    apps:
      api:
        http:                      # infra.sandbox.router.HttpBehaviour
          body: {status: healthy, release: "{release}"}
          paths:
            /metrics: {content_type: "text/plain; version=0.0.4", text: "up 1\\n"}
        builds:                    # infra.sandbox.deploys.BuildBehaviour
          process_types: {web: "gunicorn main:app", release: "alembic upgrade head"}
          release_phase_seconds: 20

It describes the code, never the stack: nothing here reaches Heroku.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError

from infra.errors import SpecError
from infra.sandbox.profiles import AppProfile
from infra.spec.base import Model
from infra.spec.loader import issues_from
from infra.spec.yaml_source import read_yaml

SANDBOX_FILE = "sandbox.yaml"


class SandboxApps(Model):
    """The whole file: app key -> its stand-in behaviour."""

    apps: dict[str, AppProfile] = Field(default_factory=dict)


def load_profiles(project_dir: Path) -> dict[str, AppProfile]:
    """`sandbox.yaml`'s profiles by app key; empty when the project has none."""
    path = project_dir / SANDBOX_FILE
    if not path.exists():
        return {}
    raw = read_yaml(path)
    try:
        return dict(SandboxApps.model_validate(raw if raw is not None else {}).apps)
    except ValidationError as err:
        raise SpecError(SANDBOX_FILE, None, issues_from(err)) from None
