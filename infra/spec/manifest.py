"""The manifest: a stack's expected state as plain JSON, secrets only as fingerprints.

The Pulumi program exports it as the stack output `manifest` after `pulumi up`; the
verifier reads it (`pulumi stack output manifest --json > manifest.json`) to compare
secret values by fingerprint. Without it, the verifier derives the same document from
the stack file, where secrets are still encrypted, and checks secrets by presence only.

Fingerprint scopes: config var ``<app name>/<VAR>``; drain URL ``<app name>/drain``; keyed by the
stack's `fingerprint_key` when it declares one (`fingerprint_key_id` says which key).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from infra.spec.models import AppSpec, StackSpec
from infra.spec.secret import Secret, key_id

MANIFEST_SCHEMA = "heroku-stack/manifest@1"


def config_var_scope(app_name: str, var: str) -> str:
    return f"{app_name}/{var}"


def drain_scope(app_name: str) -> str:
    return f"{app_name}/drain"


def fingerprint_key(spec: StackSpec) -> Secret | None:
    """The key the stack's fingerprints are made with: its decrypted `fingerprint_key`, else None (unkeyed)."""
    key = spec.fingerprint_key
    return key if key is not None and key.known else None


class _Document(BaseModel):
    # Read leniently where older exports lack a field (its default), strictly on the types.
    model_config = ConfigDict(frozen=True, extra="ignore")


class ManifestAddon(_Document):
    name: str
    plan: str
    attachment: str | None = None
    protected: bool = False


class ManifestDomain(_Document):
    hostname: str
    sni_endpoint: str | None = None


class ManifestProcess(_Document):
    quantity: int
    size: str


class ManifestDrain(_Document):
    url: str | None = None  # a plain drain's URL; a secret one's is only its fingerprint
    secret: bool = False
    fingerprint: str | None = None


class ManifestApp(_Document):
    name: str
    region: str | None = None
    stack: str | None = None
    buildpacks: list[str] = Field(default_factory=list)
    config_vars: dict[str, str] = Field(default_factory=dict)
    secret_config_vars: dict[str, str | None] = Field(default_factory=dict)  # fingerprints; None while encrypted
    addons: list[ManifestAddon] = Field(default_factory=list)
    domains: list[ManifestDomain] = Field(default_factory=list)
    acm: bool = False
    formation: dict[str, ManifestProcess] = Field(default_factory=dict)
    drains: list[ManifestDrain] = Field(default_factory=list)
    features: dict[str, bool] = Field(default_factory=dict)
    health: dict[str, Any] | None = None


class Manifest(_Document):
    """A stack's expected state with secrets as fingerprints: the `manifest` stack output.

    `fingerprint_key_id` names the key the fingerprints are made with (None: unkeyed), so a
    reader can tell a wrong key from a changed secret.
    """

    schema_: Literal["heroku-stack/manifest@1"] = Field(alias="schema")
    project: str
    stack: str
    stage: str | None = None
    pipeline: str | None = None
    owns_pipeline: bool = False
    fingerprint_key_id: str | None = None
    apps: dict[str, ManifestApp]

    def document(self) -> dict[str, Any]:
        """As JSON-ready data: what the stack exports and `--manifest` files hold."""
        return self.model_dump(mode="json", by_alias=True)


def manifest(spec: StackSpec) -> Manifest:
    """The expected state of `spec`; a secret is its fingerprint, or None while encrypted."""
    key = fingerprint_key(spec)
    return Manifest(
        schema=MANIFEST_SCHEMA,
        project=spec.project,
        stack=spec.stack,
        stage=spec.stage,
        pipeline=spec.pipeline,
        owns_pipeline=spec.owns_pipeline,
        fingerprint_key_id=None if key is None else key_id(key),
        apps={name: _app(spec, name, app, key) for name, app in spec.apps.items()},
    )


def _app(spec: StackSpec, key: str, app: AppSpec, fp_key: Secret | None) -> ManifestApp:
    return ManifestApp(
        name=app.name,
        region=app.region,
        stack=app.stack,
        buildpacks=list(app.buildpacks),
        config_vars=dict(sorted(spec.config_vars(key).items())),
        secret_config_vars={
            name: secret.fingerprint(scope=config_var_scope(app.name, name), key=fp_key)
            for name, secret in sorted(app.secrets.items())
        },
        addons=[
            ManifestAddon(name=a.name, plan=a.plan, attachment=a.attachment, protected=spec.protects(a))
            for a in app.addons
        ],
        domains=[ManifestDomain(hostname=d.hostname, sni_endpoint=d.sni_endpoint) for d in app.domains],
        acm=app.acm,
        formation={t: ManifestProcess(quantity=f.quantity, size=f.size) for t, f in sorted(app.formation.items())},
        drains=[
            ManifestDrain(
                url=d.url,
                secret=d.secret_url is not None,
                fingerprint=None
                if d.secret_url is None
                else d.secret_url.fingerprint(scope=drain_scope(app.name), key=fp_key),
            )
            for d in app.drains
        ],
        features=dict(sorted(app.features.items())),
        health=None if app.health is None else app.health.model_dump(mode="json"),
    )
