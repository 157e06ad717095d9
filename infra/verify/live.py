"""Live state: what Heroku answered, reduced to the fields checks compare.

Parsing happens the moment a response arrives, and secrets are hashed right there: a
config var keeps its value only when the stack declares that var in plain text (and the
value does not embed credentials); every other value is kept as fingerprints alone (one
scoped by app name, comparable with the manifest; one scoped by app key, equal across
stacks, for the promotion's environment diff).
Drain URLs are kept as a fingerprint plus a display form without userinfo, path or query.
Volatile fields (`updated_at`, release counters beyond the newest, dyno names,
`acm_status_reason`, ...) are never read, so they cannot cause a finding.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

from infra.spec.manifest import config_var_scope, drain_scope
from infra.spec.rules import looks_like_credential_value
from infra.spec.secret import Secret, fingerprint
from infra.verify.expected import drain_subject


@dataclass(frozen=True)
class FetchFailed:
    """A collection the API would not give us (after the client's retries): its checks become errors."""

    reason: str


T = TypeVar("T")
# None: not fetched because out of scope; FetchFailed: could not be fetched.
Fetched: TypeAlias = T | FetchFailed | None


@dataclass(frozen=True)
class LiveValue:
    fingerprint: str  # scoped by app name and var (`config_var_scope`), as the manifest's
    shown: str | None  # the value itself, only for vars declared in plain text
    portable: str  # scoped by app key and var (`portable_scope`): equal in every stack for the same value


def portable_scope(app_key: str, var: str) -> str:
    """The fingerprint scope of `var`'s value in app `app_key` that is the same in every stack.

    Staging's and production's `web` apps hash the same value alike, so the environment diff
    can say whether two values match without either being kept.
    """
    return f"promotion/{app_key}/{var}"


@dataclass(frozen=True)
class LiveAppInfo:
    id: str
    name: str
    region: str | None
    stack: str | None
    acm: bool
    web_url: str | None
    maintenance: bool = False
    generation: str | None = None  # cedar | fir: Heroku promotes only between apps of one generation


@dataclass(frozen=True)
class LiveAddon:
    id: str
    name: str
    plan: str
    state: str
    config_vars: tuple[str, ...]
    owner_app: str | None  # the billing app's name


@dataclass(frozen=True)
class LiveAttachment:
    id: str
    name: str
    addon_id: str
    addon_name: str
    addon_app: str | None


@dataclass(frozen=True)
class LiveDomain:
    id: str
    hostname: str
    kind: str
    cname: str | None
    status: str | None
    acm_status: str | None
    sni_endpoint: str | None


@dataclass(frozen=True)
class LiveProcess:
    id: str
    type: str
    quantity: int
    size: str


@dataclass(frozen=True)
class LiveDrain:
    id: str
    subject: str
    shown: str  # scheme://host[:port], plus "/..." when the URL has a path; never userinfo or query
    fingerprint: str
    plain_url: str | None  # the URL itself, only when it equals a URL the stack declares in plain text
    addon: str | None  # the add-on that created it (e.g. Papertrail), by name
    token: str  # Heroku's drain token (d.<uuid>): an identifier in log lines, not a credential


@dataclass(frozen=True)
class LiveCollaborator:
    """Someone with access to the app (`/apps/{app}/collaborators`): a personal app's owner or collaborator, or a
    team app's collaborator with its permissions and team role."""

    email: str
    role: str | None  # owner | collaborator | admin | member | viewer
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class LiveCoupling:
    id: str
    pipeline_id: str
    stage: str


@dataclass(frozen=True)
class LiveRelease:
    id: str
    version: int
    status: str
    current: bool
    description: str
    user: str | None
    created_at: str | None
    slug_id: str | None = None  # the build it runs; a promotion copies it
    output_stream_url: str | None = None  # its release phase's output, while Heroku keeps it


def _s(raw: Mapping[str, Any], *path: str) -> str | None:
    value: Any = raw
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else None


def parse_app(raw: Mapping[str, Any]) -> LiveAppInfo:
    return LiveAppInfo(
        id=str(raw.get("id")),
        name=str(raw.get("name")),
        region=_s(raw, "region", "name"),
        stack=_s(raw, "build_stack", "name") or _s(raw, "stack", "name"),
        acm=bool(raw.get("acm")),
        web_url=_s(raw, "web_url"),
        maintenance=bool(raw.get("maintenance")),
        generation=_s(raw, "generation", "name"),
    )


def parse_config(
    raw: Mapping[str, Any], app_name: str, plain: Collection[str], *, app_key: str, key: Secret | None = None
) -> dict[str, LiveValue]:
    """Config vars as fingerprints (keyed by `key`, as the manifest's are); values survive only for `plain`
    names and only without credentials."""
    out: dict[str, LiveValue] = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            continue  # Heroku drops null vars; anything else is not a config var value
        var = str(name)
        shown = value if var in plain and not looks_like_credential_value(value) else None
        out[var] = LiveValue(
            fingerprint(value, scope=config_var_scope(app_name, var), key=key),
            shown,
            fingerprint(value, scope=portable_scope(app_key, var)),
        )
    return out


def parse_addon(raw: Mapping[str, Any]) -> LiveAddon:
    names = raw.get("config_vars")
    return LiveAddon(
        id=str(raw.get("id")),
        name=str(raw.get("name")),
        plan=_s(raw, "plan", "name") or "",
        state=_s(raw, "state") or "",
        config_vars=tuple(str(n) for n in names) if isinstance(names, list) else (),
        owner_app=_s(raw, "app", "name"),
    )


def parse_attachment(raw: Mapping[str, Any]) -> LiveAttachment:
    return LiveAttachment(
        id=str(raw.get("id")),
        name=str(raw.get("name")),
        addon_id=_s(raw, "addon", "id") or "",
        addon_name=_s(raw, "addon", "name") or "",
        addon_app=_s(raw, "addon", "app", "name"),
    )


def parse_domain(raw: Mapping[str, Any]) -> LiveDomain:
    return LiveDomain(
        id=str(raw.get("id")),
        hostname=str(raw.get("hostname")),
        kind=_s(raw, "kind") or "custom",
        cname=_s(raw, "cname"),
        status=_s(raw, "status"),
        acm_status=_s(raw, "acm_status"),
        sni_endpoint=_s(raw, "sni_endpoint", "name") or _s(raw, "sni_endpoint", "id"),
    )


def parse_buildpacks(raw: list[Any]) -> tuple[str, ...]:
    ordered = sorted((b for b in raw if isinstance(b, Mapping)), key=lambda b: int(b.get("ordinal") or 0))
    return tuple(_s(b, "buildpack", "name") or _s(b, "buildpack", "url") or "" for b in ordered)


def parse_process(raw: Mapping[str, Any]) -> LiveProcess:
    quantity = raw.get("quantity")
    return LiveProcess(
        id=str(raw.get("id")),
        type=str(raw.get("type")),
        quantity=quantity if isinstance(quantity, int) else 0,
        size=_s(raw, "size") or _s(raw, "dyno_size", "name") or "",
    )


def parse_drain(
    raw: Mapping[str, Any], app_name: str, plain_urls: Collection[str], key: Secret | None = None
) -> LiveDrain:
    url = _s(raw, "url") or ""
    return LiveDrain(
        id=str(raw.get("id")),
        subject=drain_subject(url),
        shown=redact_url(url),
        fingerprint=fingerprint(url, scope=drain_scope(app_name), key=key),
        plain_url=url if url in plain_urls else None,
        addon=_s(raw, "addon", "name"),
        token=_s(raw, "token") or "",
    )


def redact_url(url: str) -> str:
    """scheme://host[:port], with "/..." when a path follows: nothing that could hold a token."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    netloc = f"{host}:{parts.port}" if parts.port else host
    tail = "/..." if parts.path.strip("/") else ""
    return f"{parts.scheme}://{netloc}{tail}"


def parse_features(raw: list[Any]) -> dict[str, bool]:
    return {str(f.get("name")): bool(f.get("enabled")) for f in raw if isinstance(f, Mapping)}


def parse_collaborator(raw: Mapping[str, Any]) -> LiveCollaborator:
    permissions = raw.get("permissions") or []
    names = sorted(str(p.get("name")) for p in permissions if isinstance(p, Mapping) and p.get("name"))
    return LiveCollaborator(
        email=(_s(raw, "user", "email") or "").lower(), role=_s(raw, "role"), permissions=tuple(names)
    )


def parse_coupling(raw: Mapping[str, Any]) -> LiveCoupling:
    return LiveCoupling(
        id=str(raw.get("id")), pipeline_id=_s(raw, "pipeline", "id") or "", stage=_s(raw, "stage") or ""
    )


def parse_release(raw: Mapping[str, Any]) -> LiveRelease:
    version = raw.get("version")
    return LiveRelease(
        id=str(raw.get("id")),
        version=version if isinstance(version, int) else 0,
        status=_s(raw, "status") or "",
        current=bool(raw.get("current")),
        description=_s(raw, "description") or "",
        user=_s(raw, "user", "email"),
        created_at=_s(raw, "created_at"),
        slug_id=_s(raw, "slug", "id"),
        output_stream_url=_s(raw, "output_stream_url"),
    )


@dataclass(frozen=True)
class LiveApp:
    """One app as Heroku holds it. A collection is None when out of scope, FetchFailed when unreadable."""

    key: str
    name: str
    info: LiveAppInfo | FetchFailed | None  # None: Heroku has no such app
    config: Fetched[Mapping[str, LiveValue]] = None
    addons: Fetched[tuple[LiveAddon, ...]] = None
    attachments: Fetched[tuple[LiveAttachment, ...]] = None
    domains: Fetched[tuple[LiveDomain, ...]] = None
    buildpacks: Fetched[tuple[str, ...]] = None
    formation: Fetched[tuple[LiveProcess, ...]] = None
    drains: Fetched[tuple[LiveDrain, ...]] = None
    features: Fetched[Mapping[str, bool]] = None
    coupling: Fetched[tuple[LiveCoupling, ...]] = None  # () when the app is in no pipeline
    releases: Fetched[tuple[LiveRelease, ...]] = None  # newest first
    procfile: Fetched[Mapping[str, str]] = None  # the current release's slug: process type -> command
    access: Fetched[tuple[LiveCollaborator, ...]] = None  # everyone with access, the owner included

    @property
    def exists(self) -> bool:
        return isinstance(self.info, LiveAppInfo)

    @property
    def app_id(self) -> str | None:
        return self.info.id if isinstance(self.info, LiveAppInfo) else None

    @property
    def generation(self) -> str | None:
        return self.info.generation if isinstance(self.info, LiveAppInfo) else None

    @property
    def pipeline_coupling(self) -> LiveCoupling | None:
        """The app's coupling, when read and the app is in a pipeline."""
        return self.coupling[0] if isinstance(self.coupling, tuple) and self.coupling else None

    def current_release(self) -> LiveRelease | None:
        if not isinstance(self.releases, tuple):
            return None
        return next((r for r in self.releases if r.current), None)


@dataclass(frozen=True)
class LivePipeline:
    """The stack's pipeline, looked up once per stack by name."""

    name: str
    id: Fetched[str]  # None also when Heroku has no pipeline by that name (see `found`)
    found: bool = True


@dataclass(frozen=True)
class LiveStack:
    """What one verification run read of a stack: each app in scope by key, as last re-polled, and the pipeline.

    Parsed and hashed on arrival like every live object, so it holds no secret value.
    """

    apps: Mapping[str, LiveApp] = field(default_factory=dict)
    pipeline: LivePipeline | None = None  # None when no check in scope needed it
