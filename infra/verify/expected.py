"""Expected state: what Heroku should hold, derived purely from the stack's spec.

`expected_state(spec)` works from the stack file alone, where secrets are still
ciphertext: secrets are then checked by presence. Given the manifest the stack exports
after `pulumi up` (`pulumi stack output manifest --json`), secrets are checked by
fingerprint. Nothing here reads files, the network or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from urllib.parse import urlsplit

from infra.errors import ManifestError
from infra.spec.manifest import (
    Manifest,
    ManifestApp,
    ManifestDrain,
    config_var_scope,
    drain_scope,
    fingerprint_key,
    manifest,
)
from infra.spec.models import AppSpec, HealthCheck, StackSpec
from infra.spec.secret import Secret, key_id
from infra.verify.checkids import check_id
from infra.verify.manifests import belongs_problem


@dataclass(frozen=True)
class ExpectedSecret:
    name: str
    fingerprint: str | None  # None: the value is unknown here, so only presence is checked


@dataclass(frozen=True)
class ExpectedAddon:
    name: str
    plan: str
    attachment: str | None
    provides: tuple[str, ...]  # config vars the catalog says this add-on's service sets

    @property
    def service(self) -> str:
        return self.plan.split(":", 1)[0]


@dataclass(frozen=True)
class ExpectedDomain:
    hostname: str
    sni_endpoint: str | None


@dataclass(frozen=True)
class ExpectedProcess:
    type: str
    quantity: int
    size: str  # Heroku's capitalisation, e.g. Standard-2X


@dataclass(frozen=True)
class ExpectedDrain:
    subject: str  # the check id segment: host[:port] for a plain URL, secret-<n> for a secret one
    url: str | None
    fingerprint: str | None
    secret: bool


@dataclass(frozen=True)
class ExpectedApp:
    key: str
    name: str
    region: str
    stack: str
    acm: bool
    buildpacks: tuple[str, ...]
    config: Mapping[str, str]
    secrets: tuple[ExpectedSecret, ...]
    addons: tuple[ExpectedAddon, ...]
    domains: tuple[ExpectedDomain, ...]
    formation: tuple[ExpectedProcess, ...]
    drains: tuple[ExpectedDrain, ...]
    features: Mapping[str, bool]
    health: HealthCheck | None
    stage: str
    pipeline: str
    maintenance: bool = False
    http_checks: Mapping[str, HealthCheck] = dataclass_field(default_factory=dict)
    procfile: Mapping[str, str] = dataclass_field(default_factory=dict)  # process type -> command; {}: unchecked
    access: Mapping[str, tuple[str, ...]] | None = None  # email (lower case) -> permissions; None: not declared
    team: str | None = None
    fingerprint_key: Secret | None = None  # what live values are fingerprinted with, as the manifest's were

    def probes(self) -> list[tuple[str, str, HealthCheck]]:
        """Every HTTP check of this app: (check id, kind, check); `health` first, then `http_checks` by name."""
        found = [] if self.health is None else [(check_id(self.key, "health"), "health", self.health)]
        found += [(check_id(self.key, "http", name), "http", c) for name, c in sorted(self.http_checks.items())]
        return found

    @property
    def provided_vars(self) -> dict[str, ExpectedAddon]:
        """Config vars an add-on of this app should have set, by var name."""
        return {var: addon for addon in self.addons for var in addon.provides}

    def declared_checks(self) -> list[str]:
        """Every check id this app declares, before anything live is known."""
        k = self.key
        ids = [check_id(k, "app"), *(check_id(k, "app", a) for a in ("region", "stack", "acm", "maintenance"))]
        ids += [check_id(k, "config", n) for n in (*self.config, *(s.name for s in self.secrets))]
        ids += [check_id(k, "config", n) for n in self.provided_vars]
        for addon in self.addons:
            ids.append(check_id(k, "addon", addon.name))
            ids += [check_id(k, "addon", addon.name, a) for a in ("plan", "state")]
            if addon.attachment:
                ids.append(check_id(k, "addon", addon.name, "attachment"))
        if self.buildpacks:
            ids.append(check_id(k, "buildpacks"))
        for domain in self.domains:
            ids.append(check_id(k, "domain", domain.hostname))
            if self.acm:
                ids.append(check_id(k, "domain", domain.hostname, "acm"))
        for process in self.formation:
            ids += [check_id(k, "formation", process.type, a) for a in ("quantity", "size")]
        ids += [check_id(k, "drain", d.subject) for d in self.drains]
        ids += [check_id(k, "feature", f) for f in self.features]
        ids += [check_id(k, "pipeline"), check_id(k, "release")]
        ids += [check_id(k, "procfile", p) for p in self.procfile]
        ids += [check_id(k, "access", email) for email in self.access or {}]
        ids += [ident for ident, _, _ in self.probes()]
        return ids


@dataclass(frozen=True)
class ExpectedStack:
    project: str
    stack: str
    stage: str
    pipeline: str
    apps: Mapping[str, ExpectedApp]
    secrets_checked_by: str  # "fingerprint", "presence" or "fingerprint and presence"
    notes: tuple[str, ...]  # where a given manifest disagrees with the stack file


def drain_subject(url: str) -> str:
    """A drain's check-id segment: host and port only, never userinfo, path or query (tokens live there)."""
    parts = urlsplit(url)
    host = parts.hostname or "drain"
    return f"{host}:{parts.port}" if parts.port else host


def expected_state(spec: StackSpec, manifest_doc: Manifest | None = None) -> ExpectedStack:
    """The expected state of every app in `spec`; secret fingerprints from `manifest_doc` when given.

    Fingerprints are keyed as the manifest's are: by the stack's `fingerprint_key` (known when the
    spec was loaded decrypted) when the manifest names one, unkeyed when it names none. Raises
    ManifestError when the manifest is not one, belongs to another project or stack, or is keyed by
    a key this spec does not have.
    """
    notes: tuple[str, ...] = ()
    key = fingerprint_key(spec)
    if manifest_doc is not None:
        _check_manifest(spec, manifest_doc)
        key = _manifest_key(spec, manifest_doc)
        notes = tuple(_manifest_differences(spec, manifest_doc))
    apps = {
        key_: _app(spec, key_, app, manifest_doc.apps.get(key_) if manifest_doc else None, key)
        for key_, app in spec.apps.items()
    }
    known = [s.fingerprint is not None for a in apps.values() for s in a.secrets]
    known += [d.fingerprint is not None for a in apps.values() for d in a.drains if d.secret]
    how = "fingerprint" if all(known) else "presence" if not any(known) else "fingerprint and presence"
    return ExpectedStack(
        project=spec.project,
        stack=spec.stack,
        stage=spec.stage,
        pipeline=spec.pipeline,
        apps=apps,
        secrets_checked_by=how,
        notes=notes,
    )


def _app(
    spec: StackSpec, key: str, app: AppSpec, from_manifest: ManifestApp | None, fp_key: Secret | None
) -> ExpectedApp:
    catalog = spec.catalog.for_app(key) or {}
    fingerprints = from_manifest.secret_config_vars if from_manifest else {}
    secrets = tuple(
        ExpectedSecret(
            name, fingerprints.get(name) or secret.fingerprint(scope=config_var_scope(app.name, name), key=fp_key)
        )
        for name, secret in app.secrets.items()
    )
    addons = tuple(
        ExpectedAddon(
            name=a.name,
            plan=a.plan,
            attachment=a.attachment,
            provides=tuple(n for n, e in catalog.items() if e.provided_by == a.service),
        )
        for a in app.addons
    )
    return ExpectedApp(
        key=key,
        name=app.name,
        region=app.region,
        stack=app.stack,
        acm=app.acm,
        maintenance=app.maintenance,
        buildpacks=tuple(app.buildpacks),
        config=spec.config_vars(key),
        secrets=secrets,
        addons=addons,
        domains=tuple(ExpectedDomain(d.hostname, d.sni_endpoint) for d in app.domains),
        formation=tuple(ExpectedProcess(t, f.quantity, f.size) for t, f in app.formation.items()),
        drains=_drains(app, from_manifest.drains if from_manifest else [], fp_key),
        features=dict(app.features),
        health=app.health,
        http_checks=dict(app.http_checks),
        # Only where the stack builds: a promoted release runs the upstream app's slug, which Heroku
        # may not serve through this app, and promotion already checks it is staging's by id.
        procfile=dict(app.deploy.procfile) if app.deploy and not spec.builds_once(app.deploy) else {},
        # Access is checked once a stack declares it for any app: from then on everyone else is unmanaged.
        access=(
            {email.lower(): tuple(sorted(p)) for email, p in app.access.items()}
            if any(a.access for a in spec.apps.values()) or spec.team is not None
            else None
        ),
        team=spec.team.name if spec.team else None,
        stage=spec.stage,
        pipeline=spec.pipeline,
        fingerprint_key=fp_key,
    )


def _drains(app: AppSpec, from_manifest: list[ManifestDrain], fp_key: Secret | None) -> tuple[ExpectedDrain, ...]:
    drains: list[ExpectedDrain] = []
    secret_count = 0
    seen: dict[str, int] = {}
    for index, drain in enumerate(app.drains):
        if drain.url is not None:
            subject = drain_subject(drain.url)
            seen[subject] = seen.get(subject, 0) + 1
            if seen[subject] > 1:
                subject = f"{subject}#{seen[subject]}"
            drains.append(ExpectedDrain(subject, drain.url, None, secret=False))
            continue
        secret_count += 1
        entry = from_manifest[index].fingerprint if index < len(from_manifest) else None
        assert drain.secret_url is not None  # the spec guarantees exactly one of url / secret_url
        known = entry or drain.secret_url.fingerprint(scope=drain_scope(app.name), key=fp_key)
        drains.append(ExpectedDrain(f"secret-{secret_count}", None, known, secret=True))
    return tuple(drains)


def _check_manifest(spec: StackSpec, doc: Manifest) -> None:
    problem = belongs_problem(doc.project, doc.stack, project=spec.project, stacks=(spec.stack,))
    if problem is not None:
        raise ManifestError(problem)


def _manifest_key(spec: StackSpec, doc: Manifest) -> Secret | None:
    """The key to fingerprint live values with to compare them with this manifest's."""
    wanted = doc.fingerprint_key_id
    if wanted is None:
        return None  # made unkeyed: compare unkeyed
    key = fingerprint_key(spec)
    file = f"Pulumi.{spec.stack}.yaml"
    if key is None:
        raise ManifestError(
            f"the manifest's fingerprints are keyed by the stack's fingerprint_key ({wanted}), which is still "
            f"encrypted in {file}: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to decrypt it, "
            "or leave --manifest out to check secrets by presence"
        )
    if key_id(key) != wanted:
        raise ManifestError(
            f"the manifest's fingerprints are keyed by {wanted}, but {file}'s fingerprint_key is {key_id(key)}: "
            "the key was rotated since; `pulumi up` and export the manifest again"
        )
    return key


def _manifest_differences(spec: StackSpec, doc: Manifest) -> list[str]:
    """Paths where the deployed manifest differs from the stack file (secrets aside): the file changed since `up`."""
    derived = manifest(spec)
    notes: list[str] = []
    for key in sorted(set(derived.apps) | set(doc.apps)):
        mine, theirs = derived.apps.get(key), doc.apps.get(key)
        if mine is None or theirs is None:
            where = "the manifest" if mine is None else "the stack file"
            notes.append(f"apps.{key}: only in {where}")
            continue
        notes += [f"apps.{key}.{field}" for field in ManifestApp.model_fields if _differs(mine, theirs, field)]
    return [
        f"the manifest differs from Pulumi.{spec.stack}.yaml at {n}; run `pulumi up`, "
        "or export the manifest again if it is stale"
        for n in notes
    ]


def _differs(mine: ManifestApp, theirs: ManifestApp, field: str) -> bool:
    """Whether one field differs, fingerprints aside (a secret's value may change without the file changing)."""
    if field == "secret_config_vars":
        return sorted(mine.secret_config_vars) != sorted(theirs.secret_config_vars)
    if field == "drains":
        return [d.model_copy(update={"fingerprint": None}) for d in mine.drains] != [
            d.model_copy(update={"fingerprint": None}) for d in theirs.drains
        ]
    return bool(getattr(mine, field) != getattr(theirs, field))
