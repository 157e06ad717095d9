"""Heroku's naming rules and enumerations, as validated field types.

Each type validates with a message that says what is allowed, so a bad stack file
reads ``must be a Heroku app name: ... (got 'Shop_Sentiment')`` rather than a regex.
Sources: the Platform API schema (`definitions.*.properties.name.pattern`) and the
Dev Center pages on dyno types, regions and stacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from infra.urls import redact_url

APP_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
ADDON_NAME_RE = re.compile(r"^[a-zA-Z][A-Za-z0-9_-]+$")
PIPELINE_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{2,29}$")
CONFIG_VAR_RE = re.compile(r"^[A-Za-z0-9_]+$")
PROCESS_TYPE_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
ATTACHMENT_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
ADDON_PLAN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$")
FEATURE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
APP_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
BUILDPACK_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9._-]*$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_URL_USERINFO_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#@\s]+@")

Region = Literal["us", "eu"]
StackImage = Literal["heroku-22", "heroku-24"]
Stage = Literal["review", "development", "staging", "production"]

# Common Runtime dyno sizes, keyed by the lowercase name users write, valued by the
# capitalisation Heroku returns (the provider stores that form; mismatches show as diffs).
DYNO_SIZES: dict[str, str] = {
    "eco": "Eco",
    "basic": "Basic",
    "standard-1x": "Standard-1X",
    "standard-2x": "Standard-2X",
    "performance-m": "Performance-M",
    "performance-l": "Performance-L",
    "performance-l-ram": "Performance-L-RAM",
    "performance-xl": "Performance-XL",
    "performance-2xl": "Performance-2XL",
}

# Heroku refuses to mix Eco or Basic dynos with each other or with professional sizes in one app.
DYNO_TIER: dict[str, str] = {"Eco": "eco", "Basic": "basic"}


def dyno_tier(size: str) -> str:
    return DYNO_TIER.get(size, "professional")


# Add-on services that hold customer data: protected from `pulumi destroy` in production.
DATA_ADDON_SERVICES = frozenset(
    {"heroku-postgresql", "heroku-redis", "heroku-kafka", "mongolab", "ormongo", "objectrocket-redis", "rediscloud"}
)

# Plain config var names that look like credentials (the catalog can declare exceptions: `secret: false`).
CREDENTIAL_NAME_RE = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|APIKEY|API_KEY|ACCESSKEY|ACCESS_KEY|PRIVATEKEY|PRIVATE_KEY|CREDENTIAL"
    r"|(^|_)(PASS|PWD|KEY)(_|$)"
)
# Query parameters that carry credentials in URLs (`?token=`, `?api_key=`, `?sig=`).
_CREDENTIAL_PARAM_RE = re.compile(
    r"[?&][^=&#]*(token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session)[^=&#]*=[^&#]",
    re.IGNORECASE,
)
_AUTH_SCHEME_RE = re.compile(r"^(bearer|basic|token)\s+\S", re.IGNORECASE)


def looks_like_credential_name(name: str) -> bool:
    return CREDENTIAL_NAME_RE.search(name.upper()) is not None


def has_url_userinfo(value: str) -> bool:
    """True for URLs that embed credentials, e.g. ``redis://:pw@host`` or ``https://key@sentry.io/1``."""
    return _URL_USERINFO_RE.match(value.strip()) is not None


def looks_like_credential_value(value: str) -> bool:
    """True for a value that carries a credential whatever its name: a URL with user:password@ or a token in
    its query, an Authorization header value (`Bearer ...`), a private key. Surrounding whitespace is ignored."""
    text = value.strip()
    return (
        has_url_userinfo(text)
        or ("://" in text and _CREDENTIAL_PARAM_RE.search(text) is not None)
        or _AUTH_SCHEME_RE.match(text) is not None
        or "PRIVATE KEY-----" in text
    )


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not regex.match(value):
            raise PydanticCustomError("bad_name", "must be {what} (got {got})", {"what": what, "got": repr(value)})
        return value

    return check


AppName = Annotated[
    str,
    AfterValidator(
        _pattern(
            APP_NAME_RE,
            "a Heroku app name: 3-30 characters of lowercase letters, digits and dashes, "
            "starting with a letter and not ending with a dash",
        )
    ),
]
AppKey = Annotated[
    str,
    AfterValidator(
        _pattern(APP_KEY_RE, "an app key: up to 40 lowercase letters, digits, '-' or '_', starting with a letter")
    ),
]
AddonName = Annotated[
    str,
    AfterValidator(
        _pattern(ADDON_NAME_RE, "an add-on name: a letter followed by letters, digits, '-' or '_' (unique on Heroku)")
    ),
]
AddonKey = Annotated[
    str,
    AfterValidator(
        _pattern(FEATURE_RE, "an add-on key: lowercase letters, digits and dashes, starting with a letter or digit")
    ),
]
PipelineName = Annotated[
    str,
    AfterValidator(
        _pattern(PIPELINE_NAME_RE, "a pipeline name: 3-30 lowercase letters, digits and dashes, starting with a letter")
    ),
]
ConfigVarName = Annotated[
    str, AfterValidator(_pattern(CONFIG_VAR_RE, "a config var name: letters, digits and underscores"))
]
ProcessType = Annotated[
    str, AfterValidator(_pattern(PROCESS_TYPE_RE, "a process type: letters, digits, '-' or '_' (e.g. web, worker)"))
]
AttachmentName = Annotated[
    str,
    AfterValidator(
        _pattern(
            ATTACHMENT_NAME_RE,
            "an attachment name (the config var prefix): uppercase letters, digits and '_', starting with a letter",
        )
    ),
]
AddonPlan = Annotated[
    str,
    AfterValidator(
        _pattern(ADDON_PLAN_RE, "an add-on plan in 'service:plan' form, e.g. 'heroku-redis:mini'"),
    ),
]
STACK_REFERENCE_RE = re.compile(r"^(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]+$")
StackReferenceName = Annotated[
    str,
    AfterValidator(
        _pattern(STACK_REFERENCE_RE, "a Pulumi stack name, or <organization>/<project>/<stack> (e.g. 'staging')")
    ),
]
FeatureName = Annotated[
    str, AfterValidator(_pattern(FEATURE_RE, "an app feature name, e.g. 'preboot' or 'runtime-dyno-metadata'"))
]
# Heroku Team names: like app names, lowercase letters, digits and dashes.
TEAM_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}$")
# An email as Heroku accepts it for a collaborator or member: one @, a dotted domain, no spaces.
EMAIL_RE = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
TeamName = Annotated[
    str, AfterValidator(_pattern(TEAM_NAME_RE, "a Heroku Team name: 2-30 lowercase letters, digits and dashes"))
]
Email = Annotated[str, AfterValidator(_pattern(EMAIL_RE, "an email address such as 'alice@example.com'"))]
# What a team app grants a collaborator (Heroku's app permissions), and a team member's role.
PERMISSIONS = ("view", "deploy", "operate", "manage")
TEAM_ROLES = ("admin", "member", "viewer")
Permission = Literal["view", "deploy", "operate", "manage"]
TeamRole = Literal["admin", "member", "viewer"]
CheckName = Annotated[
    str, AfterValidator(_pattern(FEATURE_RE, "a check name: lowercase letters, digits and '-', e.g. 'metrics'"))
]


def _dyno_size(value: object) -> str:
    if isinstance(value, str) and value.lower() in DYNO_SIZES:
        return DYNO_SIZES[value.lower()]
    raise PydanticCustomError(
        "dyno_size",
        "must be a Common Runtime dyno size: {allowed} (got {got})",
        {"allowed": ", ".join(DYNO_SIZES), "got": repr(value)},
    )


DynoSize = Annotated[str, BeforeValidator(_dyno_size)]


def _hostname(value: str) -> str:
    host = value.lower()
    labels = host.split(".")
    wildcard_ok = labels[0] == "*" and len(labels) > 2
    checked = labels[1:] if wildcard_ok else labels
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL_RE.match(label) for label in checked)
        or labels[-1].isdigit()
    ):
        raise PydanticCustomError(
            "hostname", "must be a DNS hostname such as 'www.example.com' (got {got})", {"got": repr(value)}
        )
    if host.endswith((".herokuapp.com", ".herokudns.com")):
        raise PydanticCustomError(
            "hostname",
            "is a Heroku-owned hostname; custom domains must be your own (got {got})",
            {"got": repr(value)},
        )
    return host


Hostname = Annotated[str, AfterValidator(_hostname)]


# Heroku's own buildpacks, by the GitHub repository their registry name stands for.
_OFFICIAL_BUILDPACK_REPO = re.compile(
    r"^https://github\.com/heroku/heroku-buildpack-(python|nodejs|ruby|java|go|php|scala|gradle|clojure)(?:\.git)?/?$"
)
_STORED_AS = (
    "Heroku answers with the registry name and the provider stores that, so any other spelling shows as a "
    "change on every `pulumi up`"
)


def _buildpack(value: str) -> str:
    if BUILDPACK_NAME_RE.match(value):
        return value
    if value.startswith("urn:buildpack:"):
        name = value.removeprefix("urn:buildpack:")
        raise PydanticCustomError(
            "buildpack", "write the registry name {name} instead; {why}", {"name": repr(name), "why": _STORED_AS}
        )
    official = _OFFICIAL_BUILDPACK_REPO.match(value)
    if official:
        raise PydanticCustomError(
            "buildpack",
            "is Heroku's official buildpack: write its registry name {name} instead; {why}",
            {"name": repr(f"heroku/{official.group(1)}"), "why": _STORED_AS},
        )
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.netloc and not has_url_userinfo(value):
        return value
    if has_url_userinfo(value):
        # Never echo it: the userinfo is a credential.
        raise PydanticCustomError(
            "url_credentials", "must not embed credentials; use a public URL or the buildpack registry name", {}
        )
    raise PydanticCustomError(
        "buildpack",
        "must be a buildpack registry name like 'heroku/python' or an https URL (got {got})",
        {"got": repr(redact_url(value))},
    )


Buildpack = Annotated[str, AfterValidator(_buildpack)]


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise PydanticCustomError("https_url", "must be an https:// URL (got {got})", {"got": repr(value)})
    if has_url_userinfo(value):
        raise PydanticCustomError(
            "url_credentials", "must not embed credentials; keep tokens in a secret or a signed URL", {}
        )
    return value


HttpsUrl = Annotated[str, AfterValidator(_https_url)]

DRAIN_SCHEMES = ("https", "http", "syslog", "syslog+tls")


def check_drain_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in DRAIN_SCHEMES or not parts.netloc:
        raise PydanticCustomError(
            "drain_url",
            "must be a log drain URL with scheme {schemes} (got a {scheme!r} URL)",
            {"schemes": ", ".join(DRAIN_SCHEMES), "scheme": parts.scheme or "scheme-less"},
        )
    return value


def _drain_url(value: str) -> str:
    check_drain_url(value)
    if has_url_userinfo(value) or urlsplit(value).query:
        raise PydanticCustomError(
            "drain_credentials",
            "looks like it carries credentials (userinfo or query string); "
            "use `secret_url` with `pulumi config set --secret --path`",
            {},
        )
    return value


DrainUrl = Annotated[str, AfterValidator(_drain_url)]


def _health_path(value: str) -> str:
    if not value.startswith("/") or any(c.isspace() for c in value):
        raise PydanticCustomError(
            "health_path", "must be a URL path starting with '/', e.g. '/health' (got {got})", {"got": repr(value)}
        )
    return value


HealthPath = Annotated[str, AfterValidator(_health_path)]
