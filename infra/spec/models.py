"""What a Heroku environment is: the models every other part of the product reads.

A stack (`Pulumi.<stack>.yaml`) holds one pipeline stage and one or more apps. Everything
Heroku can be told about an app that this product manages is a field here; nothing else
keeps a second list of add-ons, domains or config vars.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal

from pydantic import Field, PlainValidator, field_validator, model_validator
from pydantic_core import PydanticCustomError

from infra.spec.base import Model
from infra.spec.catalog import Catalog, CatalogEntry
from infra.spec.rules import (
    DATA_ADDON_SERVICES,
    AddonKey,
    AddonName,
    AddonPlan,
    AppKey,
    AppName,
    AttachmentName,
    Buildpack,
    CheckName,
    ConfigVarName,
    DrainUrl,
    DynoSize,
    Email,
    FeatureName,
    HealthPath,
    Hostname,
    HttpsUrl,
    Permission,
    PipelineName,
    ProcessType,
    Region,
    StackImage,
    StackReferenceName,
    Stage,
    TeamName,
    TeamRole,
    dyno_tier,
    looks_like_credential_name,
    looks_like_credential_value,
)
from infra.spec.secret import Secret

# A production database can take well over the provider's 20 minutes to provision (Heroku Postgres
# premium and above, Redis premium); an add-on still provisioning at the deadline is lost to the state.
DATA_ADDON_CREATE_TIMEOUT_MINUTES = 60


def _json_scalar(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise PydanticCustomError(
        "json_scalar",
        "must be a string, number, true/false or null (got a {kind})",
        {"kind": "mapping" if isinstance(value, dict) else "list" if isinstance(value, list) else type(value).__name__},
    )


JsonScalar = Annotated[object, PlainValidator(_json_scalar)]


class AddonSpec(Model):
    """A Heroku add-on owned by the app (`heroku addons:create plan --name name --as attachment`)."""

    plan: AddonPlan
    name: AddonName
    key: AddonKey | None = Field(
        default=None,
        description="the add-on's identity in the Pulumi state, stable across renames (defaults to its service); "
        "set it when an app has two add-ons of one service",
    )
    attachment: AttachmentName | None = Field(
        default=None, description="config var prefix, e.g. CACHE gives CACHE_URL; Heroku's default when unset"
    )
    config: dict[str, str] = Field(default_factory=dict, description="provisioning options (`--key value`)")
    protect: bool | None = Field(
        default=None, description="guard against `pulumi destroy`; defaults to true for data add-ons in production"
    )

    @property
    def service(self) -> str:
        return self.plan.split(":", 1)[0]

    @property
    def stable_key(self) -> str:
        """What names this add-on in the Pulumi state: `key`, else its service."""
        return self.key or self.service

    @property
    def holds_data(self) -> bool:
        return self.service in DATA_ADDON_SERVICES


class DomainSpec(Model):
    """A custom domain; its DNS must CNAME to the `cname` Heroku returns."""

    hostname: Hostname
    sni_endpoint: str | None = Field(default=None, description="SNI endpoint id or name; leave unset with ACM")


class FormationSpec(Model):
    """How many dynos of which size run one process type."""

    quantity: int = Field(ge=0, le=100)
    size: DynoSize


class DrainSpec(Model):
    """A log drain: a plain URL, or a secret one when the URL carries a token."""

    url: DrainUrl | None = None
    secret_url: Secret | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DrainSpec:
        if (self.url is None) == (self.secret_url is None):
            raise PydanticCustomError("drain_url_choice", "set exactly one of `url` or `secret_url`", {})
        return self


class HealthCheck(Model):
    """The HTTP check the verifier runs against the app after every deploy."""

    path: HealthPath = "/health"
    expect_status: int = Field(default=200, ge=100, le=599)
    expect_json: dict[str, JsonScalar] = Field(
        default_factory=dict, description="dotted JSON paths and the values they must hold, e.g. status: ok"
    )
    release_field: str | None = Field(
        default=None,
        description="dotted JSON path where the app reports its release (e.g. HEROKU_RELEASE_VERSION 'v42')",
    )
    expect_content_type: str | None = Field(
        default=None,
        max_length=200,
        description="the Content-Type the answer must start with (case-insensitive), e.g. text/plain; version=0.0.4 "
        "for a Prometheus metrics endpoint",
    )
    expect_body: str | None = Field(
        default=None, max_length=500, description="a regular expression the answer's body must contain"
    )
    host: Hostname | None = Field(default=None, description="check through this custom domain instead of web_url")
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    interval_seconds: float = Field(default=5.0, gt=0, le=60)
    deadline_seconds: float = Field(default=120.0, gt=0, le=1800)

    @field_validator("expect_body")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"is not a regular expression ({err})") from None
        return value


class DeploySpec(Model):
    """The source Heroku builds on the first `pulumi up`, so the formation has process types to scale."""

    source_url: HttpsUrl = Field(description="tarball of the app's source, e.g. a GitHub archive of a tag")
    version: str = Field(min_length=1, max_length=100, description="commit or tag the tarball holds")
    checksum: str | None = Field(default=None, pattern=r"^SHA256:[0-9a-f]{64}$")
    bootstrap_only: bool | None = Field(
        default=None,
        description="build only on the first `up`, never rebuild (code then moves by promotion); "
        "defaults to true in production",
    )
    release_phase_timeout_seconds: float = Field(
        default=1800.0,
        gt=0,
        le=86_400,
        description="how long `pulumi up` waits for the build's release phase (a Procfile `release:` command) "
        "before failing, instead of scaling dynos the release has not declared yet",
    )
    procfile: dict[ProcessType, str] = Field(
        default_factory=dict,
        description="the Procfile the app's code declares (process type -> command), `release` included; "
        "the formation may scale only these, and where the stack builds (not bootstrap_only) verify checks the "
        "running build declares exactly them",
    )

    @field_validator("procfile")
    @classmethod
    def _commands(cls, value: dict[str, str]) -> dict[str, str]:
        for process, command in value.items():
            if not command.strip():
                raise ValueError(f"the command of {process!r} is empty")
        return value


class AppSpec(Model):
    """One Heroku app and everything this stack declares about it."""

    name: AppName
    region: Region = "us"
    stack: StackImage = "heroku-24"
    buildpacks: tuple[Buildpack, ...] = Field(default=(), strict=False)
    config: dict[ConfigVarName, str] = Field(default_factory=dict)
    secrets: dict[ConfigVarName, Secret] = Field(default_factory=dict)
    addons: tuple[AddonSpec, ...] = Field(default=(), strict=False)
    domains: tuple[DomainSpec, ...] = Field(default=(), strict=False)
    acm: bool = False
    maintenance: bool = Field(
        default=False,
        description="whether the app is in maintenance mode (Heroku's router answers every request with its "
        "maintenance page). The provider cannot set it: verify checks it, and `heroku maintenance:on/off` sets it",
    )
    formation: dict[ProcessType, FormationSpec] = Field(default_factory=dict)
    drains: tuple[DrainSpec, ...] = Field(default=(), strict=False)
    features: dict[FeatureName, bool] = Field(default_factory=dict)
    health: HealthCheck | None = None
    http_checks: dict[CheckName, HealthCheck] = Field(
        default_factory=dict,
        description="more HTTP checks besides `health` (a metrics endpoint, a status page, the front end's /), "
        "each verified like it and reported as <app>/http/<name>",
    )
    deploy: DeploySpec | None = None
    access: dict[Email, Annotated[tuple[Permission, ...], Field(strict=False)]] = Field(
        default_factory=dict,
        description="who may use the app besides its owner, by email: on a team app the permissions each has "
        "(view, deploy, operate, manage), on a personal app [] (a plain collaborator). Anyone else with access "
        "is reported by verify as a security finding",
    )
    protect: bool | None = Field(
        default=None,
        description="refuse to replace or delete the app (its add-ons and data go with it); "
        "defaults to true in production",
    )

    @model_validator(mode="after")
    def _coherent(self) -> AppSpec:
        for name in self.secrets:
            if name in self.config:
                raise _at(("secrets", name), "is also set in `config`; a var is either plain or secret")
        tiers = {dyno_tier(f.size) for f in self.formation.values()}
        if len(tiers) > 1:
            sizes = ", ".join(f"{t}={f.size}" for t, f in self.formation.items())
            raise _at(("formation",), f"mixes dyno tiers ({sizes}); Heroku runs eco, basic or professional, not a mix")
        _unique([d.hostname for d in self.domains], ("domains",), "hostname", "domain")
        _unique([a.attachment for a in self.addons if a.attachment], ("addons",), "attachment", "attachment name")
        _unique_keys(self.addons)
        _unique(list(self.buildpacks), ("buildpacks",), None, "buildpack")
        hostnames = {d.hostname for d in self.domains}
        if self.health and self.health.host and self.health.host not in hostnames:
            raise _at(("health", "host"), f"{self.health.host!r} is not one of this app's domains")
        for name, check in self.http_checks.items():
            if check.host and check.host not in hostnames:
                raise _at(("http_checks", name, "host"), f"{check.host!r} is not one of this app's domains")
        _unique_emails(list(self.access), ("access",))
        for email, permissions in self.access.items():
            if len(set(permissions)) != len(permissions):
                raise _at(("access", email), f"lists a permission twice ({', '.join(permissions)})")
            if permissions and "view" not in permissions:
                raise _at(("access", email), "needs `view` too: Heroku grants no team-app permission without it")
        procfile = self.deploy.procfile if self.deploy else {}
        if procfile:
            for process in self.formation:
                if process not in procfile:
                    allowed = ", ".join(procfile)
                    raise _at(
                        ("formation", process),
                        f"is not a process type of deploy.procfile, so Heroku would refuse to scale it "
                        f'("Couldn\'t find that process type"); the Procfile declares: {allowed}',
                    )
        return self


class TeamSpec(Model):
    """The Heroku Team that owns the stack's apps and pipeline."""

    name: TeamName
    locked: bool = Field(
        default=False,
        description="lock the team's apps: only members with explicit app permissions may use them, "
        "not every team admin",
    )
    members: dict[Email, TeamRole] = Field(
        default_factory=dict,
        description="the team's members and roles, managed by this stack (only the pipeline owner stack may: "
        "members are team-wide); empty leaves membership to the team's admins",
    )

    @model_validator(mode="after")
    def _coherent(self) -> TeamSpec:
        _unique_emails(list(self.members), ("members",))
        return self


class StackSpec(Model):
    """One Pulumi stack: a pipeline stage and the apps in it, plus the project's catalog."""

    project: str = Field(min_length=1)
    stack: str = Field(min_length=1)
    stage: Stage
    pipeline: PipelineName
    pipeline_owner: Stage = Field(
        default="staging", description="the stage whose stack creates the pipeline; the others reference it"
    )
    pipeline_lookup: Literal["stack-reference", "name"] = Field(
        default="stack-reference",
        description="how a stack that does not own the pipeline finds it: the owner stack's `pipeline` output "
        "(StackReference), or Heroku's lookup by name (works only while an app is coupled to it)",
    )
    pipeline_stack: StackReferenceName | None = Field(
        default=None,
        description="the owner stack for the StackReference: its name, or <organization>/<project>/<stack>; "
        "defaults to the project's stack file whose stage is pipeline_owner",
    )
    team: TeamSpec | None = Field(
        default=None,
        description="the Heroku Team owning the apps and the pipeline; none: the personal account of the API key",
    )
    apps: dict[AppKey, AppSpec] = Field(min_length=1)
    addon_create_timeout_minutes: int | None = Field(
        default=None,
        ge=10,
        le=1440,
        description="minutes `pulumi up` waits for an add-on to be provisioned (the provider's minimum is 10, its "
        f"default 20); defaults to {DATA_ADDON_CREATE_TIMEOUT_MINUTES} when the stack has a data add-on",
    )
    fingerprint_key: Secret | None = Field(
        default=None,
        description="a random secret that keys the manifest's secret fingerprints, so a manifest reveals nothing "
        "about a secret to whoever lacks it (`pulumi config set --secret fingerprint_key $(openssl rand -hex 32)`)",
    )
    catalog: Catalog = Field(default_factory=Catalog)

    @property
    def owns_pipeline(self) -> bool:
        return self.stage == self.pipeline_owner

    @property
    def addon_create_timeout(self) -> int | None:
        """The provider's add-on create timeout in minutes for this stack, or None for the provider's default."""
        if self.addon_create_timeout_minutes is not None:
            return self.addon_create_timeout_minutes
        holds_data = any(a.holds_data for app in self.apps.values() for a in app.addons)
        return DATA_ADDON_CREATE_TIMEOUT_MINUTES if holds_data else None

    def config_vars(self, key: str) -> dict[str, str]:
        """The app's plain config vars as Heroku should hold them: catalog defaults, then the stack's values."""
        entries = self.catalog.for_app(key) or {}
        defaults = {name: e.default for name, e in entries.items() if e.default is not None}
        return {**defaults, **self.apps[key].config}

    def protects(self, addon: AddonSpec) -> bool:
        """Whether `pulumi destroy` must refuse to delete this add-on."""
        return addon.protect if addon.protect is not None else (addon.holds_data and self.stage == "production")

    def protects_app(self, app: AppSpec) -> bool:
        """Whether `pulumi up` and `destroy` must refuse to replace or delete this app."""
        return app.protect if app.protect is not None else self.stage == "production"

    def builds_once(self, deploy: DeploySpec) -> bool:
        return deploy.bootstrap_only if deploy.bootstrap_only is not None else self.stage == "production"

    @model_validator(mode="after")
    def _coherent(self) -> StackSpec:
        _unique_across(self, lambda a: [a.name], "name", "app name")
        _unique_across(self, lambda a: [x.name for x in a.addons], "addons", "add-on name")
        _unique_across(self, lambda a: [d.hostname for d in a.domains], "domains", "hostname")
        for key, app in self.apps.items():
            entries = self.catalog.for_app(key)
            _check_plain_config(key, app, entries)
            if entries is not None:
                _check_against_catalog(key, app, entries)
        for key in self.catalog.apps:
            if key not in self.apps:
                raise _at(("catalog", key), f"describes app {key!r}, which this stack does not declare")
        self._check_access()
        return self

    def _check_access(self) -> None:
        for key, app in self.apps.items():
            for email, permissions in app.access.items():
                if self.team is None and permissions:
                    raise _at(
                        ("apps", key, "access", email),
                        "permissions apply to team apps, and this stack has no `team`: a personal app's "
                        "collaborator is written with [] (full access but ownership)",
                    )
                if self.team is not None and not permissions:
                    raise _at(
                        ("apps", key, "access", email),
                        f"needs permissions on team {self.team.name}'s app: a list of view, deploy, operate, manage",
                    )
        if self.team is not None and self.team.members and not self.owns_pipeline:
            raise _at(
                ("team", "members"),
                f"team members are team-wide: only the pipeline owner stack (stage {self.pipeline_owner!r}) may "
                "declare them, or two stacks would fight over them",
            )


def _unique_emails(emails: list[str], loc: tuple[str, ...]) -> None:
    seen: dict[str, str] = {}
    for email in emails:
        if email.lower() in seen:
            raise _at(loc, f"lists {email!r} twice ({seen[email.lower()]!r} too; emails are not case-sensitive)")
        seen[email.lower()] = email


def _at(loc: tuple[str, ...], message: str) -> PydanticCustomError:
    # The loader turns `loc` into the key path shown to the user.
    return PydanticCustomError("spec_rule", "{message}", {"message": message, "loc": loc})


def _unique(values: list[str], loc: tuple[str, ...], field: str | None, what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            tail = (f"[{index}]", field) if field else (f"[{index}]",)
            raise _at((*loc, *tail), f"duplicate {what} {value!r}")
        seen.add(value)


def _unique_keys(addons: tuple[AddonSpec, ...]) -> None:
    seen: dict[str, int] = {}
    for index, addon in enumerate(addons):
        if addon.stable_key in seen:
            first = addons[seen[addon.stable_key]]
            how = f"key {addon.stable_key!r}" if addon.key else f"service {addon.service!r} (its default key)"
            raise _at(
                ("addons", f"[{index}]", "key"),
                f"has the same {how} as addons[{seen[addon.stable_key]}] ({first.name}); give each a distinct `key`, "
                "which names it in the Pulumi state",
            )
        seen[addon.stable_key] = index


def _unique_across(stack: StackSpec, values: object, field: str, what: str) -> None:
    owners: dict[str, str] = {}
    for key, app in stack.apps.items():
        for value in values(app):  # type: ignore[operator]
            if value in owners:
                raise _at(("apps", key, field), f"duplicate {what} {value!r} (also used by apps.{owners[value]})")
            owners[value] = key


def _check_plain_config(key: str, app: AppSpec, entries: dict[str, CatalogEntry] | None) -> None:
    """Refuse credentials committed as plain config, unless the catalog says the name is harmless."""
    for name, value in app.config.items():
        declared_plain = entries is not None and name in entries and "secret" in entries[name].model_fields_set
        if declared_plain:
            continue
        how = f"set it with `pulumi config set --secret --path 'apps.{key}.secrets.{name}' <value>`"
        if looks_like_credential_name(name):
            raise _at(
                ("apps", key, "config", name),
                f"looks like a credential and must not be plain text; {how}, "
                "or declare it `secret: false` in catalog.yaml if it is not one",
            )
        if looks_like_credential_value(value):
            raise _at(
                ("apps", key, "config", name),
                f"holds a credential (a URL with user:password@ or a token in its query, a `Bearer` value, a "
                f"private key); {how}, or declare it `secret: false` in catalog.yaml if it is not one",
            )


def _check_against_catalog(key: str, app: AppSpec, entries: dict[str, CatalogEntry]) -> None:
    services = {a.service for a in app.addons}
    for section, names in (("config", app.config), ("secrets", app.secrets)):
        for name in names:
            entry = entries.get(name)
            loc = ("apps", key, section, name)
            if entry is None:
                close = difflib.get_close_matches(name, list(entries), n=1, cutoff=0.75)
                hint = f"did you mean {close[0]!r}? If not, " if close else ""
                raise _at(loc, f"is not in catalog.yaml; {hint}describe it under apps.{key}.{name} first")
            if entry.provided_by:
                raise _at(loc, f"is set by the {entry.provided_by} add-on; do not set it by hand")
            if section == "config" and entry.secret:
                raise _at(
                    loc,
                    "is secret in catalog.yaml; set it with "
                    f"`pulumi config set --secret --path 'apps.{key}.secrets.{name}' <value>`",
                )
    for name, entry in entries.items():
        if entry.provided_by and entry.provided_by not in services:
            raise _at(
                ("apps", key, "addons"),
                f"has no {entry.provided_by} add-on, but catalog.yaml says it provides {name}",
            )
        if entry.required and name not in app.config and name not in app.secrets:
            where = "secrets" if entry.secret else "config"
            raise _at(("apps", key, where, name), f"is required ({entry.description.rstrip('.')}) but not set")
