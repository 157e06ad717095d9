"""The config-var catalog: every variable an app reads, described once for all stacks.

The catalog (``catalog.yaml`` beside ``Pulumi.yaml``) lists, per app key, each config var's
description, default, whether it is required, whether it is secret, and which add-on
provides it. Stacks then only set what differs from the defaults. The README's
configuration reference is generated from it.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from infra.spec.base import Model
from infra.spec.rules import AppKey, ConfigVarName


class CatalogEntry(Model):
    """One config var: what it is for and where its value comes from."""

    description: str = Field(min_length=1)
    default: str | None = None
    required: bool = False
    secret: bool = False
    provided_by: str | None = Field(
        default=None,
        description="add-on service that sets this var (e.g. heroku-redis); it must not be set by hand",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CatalogEntry:
        if self.secret and self.default is not None:
            raise ValueError("a secret var cannot have a default (defaults are committed in plain text)")
        if self.provided_by is not None and (self.default is not None or self.required):
            raise ValueError("a var provided by an add-on takes neither `default` nor `required`")
        if self.required and self.default is not None:
            raise ValueError("a required var with a default is never missing; drop one of them")
        return self

    @property
    def sensitive(self) -> bool:
        """Secret vars and add-on vars (connection strings) are never displayed."""
        return self.secret or self.provided_by is not None


class Catalog(Model):
    """Per app key, the config vars that app reads."""

    apps: dict[AppKey, dict[ConfigVarName, CatalogEntry]] = Field(default_factory=dict)

    def for_app(self, key: str) -> dict[str, CatalogEntry] | None:
        return self.apps.get(key)
