"""App profiles: how an app of a given name behaves on the sandbox from the moment it is created.

A project describes its apps' stand-in behaviour (what their code answers over HTTP, what their
builds produce and how long their release phase takes) in `sandbox.yaml`; `heroku-stack rehearse`
installs it as profiles keyed by the Heroku app name before it creates anything, because the
build starts right after the app and must already run the app's Procfile. A profile set for an
app that exists applies at once.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from infra.sandbox.deploys import BuildBehaviour
from infra.sandbox.router import HttpBehaviour
from infra.sandbox.store import Record, Tx

_META_PREFIX = "profile:"


class AppProfile(BaseModel):
    """An app's behaviour on the sandbox: its HTTP answers and, optionally, its builds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    http: HttpBehaviour = Field(default_factory=HttpBehaviour)
    builds: BuildBehaviour | None = None


def set_profile(tx: Tx, app_name: str, profile: AppProfile) -> None:
    tx.set_meta(_META_PREFIX + app_name, profile.model_dump_json(by_alias=True))
    existing = tx.by_name("app", app_name)
    if existing is not None:
        apply_profile(tx, existing)
        tx.put("app", existing)


def profile_for(tx: Tx, app_name: str) -> AppProfile | None:
    raw = tx.get_meta(_META_PREFIX + app_name)
    return None if raw is None else AppProfile.model_validate_json(raw)


def apply_profile(tx: Tx, app: Record) -> None:
    """Give `app` (not yet stored) its profile's behaviour, if its name has one; the HTTP counters start now."""
    profile = profile_for(tx, app["name"])
    if profile is None:
        return
    app["_http"] = profile.http.model_dump(mode="json", by_alias=True)
    app["_http_served"] = 0
    app["_http_since"] = tx.stamp
    if profile.builds is not None:
        app["_build"] = profile.builds.model_dump(mode="json")
