"""What the emulated Heroku offers: regions, stacks, dyno sizes, add-on services and plans, app features.

Ids are fixed UUIDs derived from the names, so they are the same in every sandbox. Dyno size
names are Heroku's capitalisation (`Standard-2X`): the provider v5.2.10 stores sizes
normalised that way and compares them verbatim on refresh (research §0).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("6f1c3a52-2d0e-4a57-9d43-6a3d4d7f0b11")


def fixed_id(kind: str, name: str) -> str:
    """The same UUID for the same catalogue entry in every sandbox."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


REGIONS: tuple[str, ...] = ("us", "eu")  # the Common Runtime regions an app can be created in


@dataclass(frozen=True)
class Region:
    name: str
    description: str
    country: str
    locale: str
    provider_region: str
    private_capable: bool


# Every region `GET /regions` lists: the Common Runtime's two, then Private Spaces' (apps cannot use these).
REGION_DETAILS: tuple[Region, ...] = (
    Region("us", "United States", "United States", "Virginia", "us-east-1", False),
    Region("eu", "Europe", "Ireland", "Dublin", "eu-west-1", False),
    Region("dublin", "Dublin, Ireland", "Ireland", "Dublin", "eu-west-1", True),
    Region("frankfurt", "Frankfurt, Germany", "Germany", "Frankfurt", "eu-central-1", True),
    Region("oregon", "Oregon, United States", "United States", "Oregon", "us-west-2", True),
    Region("sydney", "Sydney, Australia", "Australia", "Sydney", "ap-southeast-2", True),
    Region("tokyo", "Tokyo, Japan", "Japan", "Tokyo", "ap-northeast-1", True),
    Region("virginia", "Virginia, United States", "United States", "Virginia", "us-east-1", True),
)
STACKS: tuple[str, ...] = ("heroku-24", "heroku-22", "heroku-20", "container")
RETIRED_STACKS = frozenset({"heroku-20"})  # listed, but new apps and builds may not use them
DEFAULT_REGION = "us"
DEFAULT_STACK = "heroku-24"

DYNO_SIZES: tuple[str, ...] = (
    "Eco",
    "Basic",
    "Standard-1X",
    "Standard-2X",
    "Performance-M",
    "Performance-L",
    "Performance-L-RAM",
    "Performance-XL",
    "Performance-2XL",
    "Private-S",
    "Private-M",
    "Private-L",
    "Shield-S",
    "Shield-M",
    "Shield-L",
)
DEFAULT_DYNO_SIZE = "Basic"
_SIZES_BY_KEY = {name.lower(): name for name in DYNO_SIZES}


def dyno_size(name_or_id: str) -> str | None:
    """Heroku's spelling of a dyno size given in any case or by id; None if there is no such size."""
    if name_or_id.lower() in _SIZES_BY_KEY:
        return _SIZES_BY_KEY[name_or_id.lower()]
    return next((name for name in DYNO_SIZES if fixed_id("dyno-size", name) == name_or_id), None)


def named(kind: str, name: str) -> dict[str, str]:
    """`{"id", "name"}` for a catalogue entry, the shape apps and formations embed."""
    return {"id": fixed_id(kind, name), "name": name}


@dataclass(frozen=True)
class AddonService:
    """An add-on service: its plans, the attachment name it takes by default, and what it injects."""

    name: str
    plans: tuple[str, ...]
    attachment: str  # default attachment name = config var prefix (DATABASE -> DATABASE_URL)
    suffixes: tuple[str, ...]  # config vars are <ATTACHMENT>_<SUFFIX>
    drain_host: str | None = None  # add-ons that ship logs get an add-on-owned log drain
    human_name: str = ""  # as the marketplace names it (`heroku addons:services`)


SERVICES: dict[str, AddonService] = {
    s.name: s
    for s in (
        AddonService(
            "heroku-postgresql",
            ("essential-0", "essential-1", "essential-2", "standard-0"),
            "DATABASE",
            ("URL",),
            human_name="Heroku Postgres",
        ),
        AddonService(
            "heroku-redis", ("mini", "premium-0", "premium-1"), "REDIS", ("URL",), human_name="Heroku Key-Value Store"
        ),
        AddonService("mongolab", ("sandbox", "shared-cluster-0"), "MONGODB", ("URI",), human_name="mLab MongoDB"),
        AddonService(
            "papertrail",
            ("choklad", "fixa", "volmar"),
            "PAPERTRAIL",
            ("API_TOKEN",),
            "logs.papertrailapp.com",
            human_name="Papertrail",
        ),
        AddonService("newrelic", ("wayne", "essentials"), "NEW_RELIC", ("LICENSE_KEY",), human_name="New Relic APM"),
        AddonService("sentry", ("f1", "team"), "SENTRY", ("DSN",), human_name="Sentry"),
    )
}


def config_value(service: AddonService, suffix: str, token: str) -> str:
    """A plausible value for one injected config var; `token` makes it unique to the add-on."""
    host = token[:12]
    values = {
        ("heroku-postgresql", "URL"): f"postgres://u{host}:p{token}@ec2-{host}.compute-1.amazonaws.com:5432/d{host}",
        ("heroku-redis", "URL"): f"rediss://:p{token}@ec2-{host}.compute-1.amazonaws.com:6379",
        ("mongolab", "URI"): f"mongodb://heroku_{host}:p{token}@ds{host[:6]}.mlab.com:27017/heroku_{host}",
        ("papertrail", "API_TOKEN"): token,
        ("newrelic", "LICENSE_KEY"): token + token[:8],
        ("sentry", "DSN"): f"https://{token}@o{host[:6]}.ingest.sentry.io/{int(host[:6], 16)}",
    }
    return values.get((service.name, suffix), token)


def resolve_plan(identity: str) -> tuple[AddonService, str] | None:
    """`service:plan`, a bare service (its first plan) or a plan id; None if the catalogue has no such plan."""
    service_name, _, plan = identity.partition(":")
    service = SERVICES.get(service_name)
    if service is not None:
        plan = plan or service.plans[0]
        return (service, plan) if plan in service.plans else None
    for service in SERVICES.values():
        for candidate in service.plans:
            if fixed_id("plan", f"{service.name}:{candidate}") == identity:
                return service, candidate
    return None


@dataclass(frozen=True)
class Feature:
    name: str
    display_name: str
    description: str
    state: str = "general"


FEATURES: tuple[Feature, ...] = (
    Feature("preboot", "Preboot", "Provide seamless web dyno deploys."),
    Feature("runtime-dyno-metadata", "Runtime Dyno Metadata", "Provide information about the app and environment."),
    Feature("http-session-affinity", "Session Affinity", "Enable session affinity for all requests to the app."),
    Feature(
        "log-runtime-metrics", "Log runtime metrics", "Emit dyno resource usage information into app logs.", "beta"
    ),
    Feature("spaces-dns-discovery", "DNS Service Discovery", "Allows dynos to discover each other by name.", "beta"),
)

# Account features (`heroku labs`): user-level betas, all off by default.
ACCOUNT_FEATURES: tuple[Feature, ...] = (
    Feature("account-dyno-metadata-preview", "Dyno metadata preview", "Preview dyno metadata in new apps.", "beta"),
    Feature("spaces-strict-tls", "Strict TLS for Spaces", "Enforce TLS 1.2 on every new Private Space.", "beta"),
)

OFFICIAL_BUILDPACKS: tuple[str, ...] = (
    "heroku/python",
    "heroku/nodejs",
    "heroku/ruby",
    "heroku/java",
    "heroku/go",
    "heroku/php",
    "heroku/scala",
    "heroku/gradle",
    "heroku/clojure",
)


_OFFICIAL_REPO = re.compile(r"^https://github\.com/heroku/heroku-buildpack-([a-z]+?)(?:\.git)?/?$")
_REGISTRY_BLOB = re.compile(r"^https://buildpack-registry\.s3\.amazonaws\.com/buildpacks/heroku/([a-z]+)\.tgz$")


def buildpack(identity: str) -> dict[str, str]:
    """`{"name", "url"}`: registry names come back with a `urn:buildpack:` url, URLs keep the url as name.

    Heroku's official buildpacks given by their GitHub URL are known to the registry: they come
    back named by their registry name (so a client that stored the URL sees a different name).
    """
    if identity in OFFICIAL_BUILDPACKS or (identity.count("/") == 1 and "://" not in identity):
        return {"name": identity, "url": f"urn:buildpack:{identity}"}
    if identity.startswith("urn:buildpack:"):
        return {"name": identity.removeprefix("urn:buildpack:"), "url": identity}
    official = _OFFICIAL_REPO.match(identity) or _REGISTRY_BLOB.match(identity)
    if official and f"heroku/{official.group(1)}" in OFFICIAL_BUILDPACKS:
        return {"name": f"heroku/{official.group(1)}", "url": identity}
    return {"name": identity, "url": identity}


def registry_blob_url(name: str) -> str:
    """Where the buildpack registry says a registered buildpack lives (what `heroku buildpacks:add` installs)."""
    return f"https://buildpack-registry.s3.amazonaws.com/buildpacks/{name}.tgz"
