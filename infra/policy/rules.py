"""The guardrail policies, as Pulumi CrossGuard policies over the Heroku provider's resource types.

Each policy is a plain `pulumi_policy` `ResourceValidationPolicy` or `StackValidationPolicy`:
importing this module starts nothing (the pack's entry point, `policy/__main__.py`, builds the
`PolicyPack`, which serves gRPC and blocks). `heroku-stack plan` runs the same objects against
the offline plan (`infra.policy.offline`).

Properties are the provider's camelCase inputs (`configVars`, `sensitiveUrl`). A policy that
concerns production only looks at the stack in the resource's URN
(``urn:pulumi:<stack>::<project>::...``), compared with its `productionStacks` config, because a
policy pack is told nothing else about the stack. Thresholds and levels come from policy config
(`pulumi preview --policy-pack-config FILE`, or the project's `policy.<stack>.json` offline),
with defaults that fit ShopSentiment and InventorySync.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra.spec.rules import DATA_ADDON_SERVICES, looks_like_credential_name, looks_like_credential_value

APP = "heroku:app/app:App"
ADDON = "heroku:addon/addon:Addon"
FORMATION = "heroku:formation/formation:Formation"
DOMAIN = "heroku:domain/domain:Domain"
FEATURE = "heroku:app/feature:Feature"
DRAIN = "heroku:drain/drain:Drain"

PRODUCTION_STACKS = ["production", "prod"]
SMALL_SIZES = ["eco", "basic", "hobby", "free"]
MIN_WEB_DYNOS = 2
# Plans of data add-ons that are not fit for production data (no HA, no continuous protection).
SMALL_DATA_PLANS = ["heroku-postgresql:essential-*", "heroku-postgresql:mini", "heroku-redis:mini", "*:hobby-*"]
MONGO_LIKE = ["mongolab", "ormongo", "objectrocket*", "mongodb*"]

_PRODUCTION = {
    "productionStacks": {
        "type": "array",
        "items": {"type": "string"},
        "default": PRODUCTION_STACKS,
        "description": "stack names this policy treats as production",
    }
}


def stack_of(urn: str) -> str:
    """The stack name in a resource URN (``urn:pulumi:<stack>::<project>::<type>::<name>``)."""
    parts = urn.split(":", 2)
    return parts[2].split("::", 1)[0] if len(parts) == 3 and parts[0] == "urn" else ""


def in_production(urn: str, config: Mapping[str, Any]) -> bool:
    return stack_of(urn) in list(config.get("productionStacks", PRODUCTION_STACKS))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- resource policies -------------------------------------------------------------------------


def _dyno_size(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = args.get_config()
    if args.resource_type != FORMATION or not in_production(args.urn, config):
        return
    size = _text(args.props.get("size"))
    small = [s.lower() for s in config.get("forbiddenSizes", SMALL_SIZES)]
    if size.lower() in small:
        process = _text(args.props.get("type")) or "?"
        report(
            f"{args.name}: `{process}` runs on {size} dynos in production; use a professional size "
            f"(standard-1x or larger: no sleeping, preboot, horizontal scaling), not {', '.join(small)}",
            None,
        )


def _web_dynos(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = args.get_config()
    if args.resource_type != FORMATION or not in_production(args.urn, config):
        return
    if _text(args.props.get("type")) != "web":
        return
    quantity = args.props.get("quantity")
    least = int(config.get("minWebDynos", MIN_WEB_DYNOS))
    # The engine hands numbers over as protobuf doubles (1.0); the offline plan as ints.
    if isinstance(quantity, int | float) and not isinstance(quantity, bool) and quantity < least:
        report(
            f"{args.name}: {int(quantity)} web dyno(s) in production; at least {least} so one can restart "
            "(daily cycling, deploys) while another serves",
            None,
        )


def _service(plan: str) -> str:
    return plan.split(":", 1)[0]


def _data_service(service: str, config: Mapping[str, Any]) -> bool:
    extra = list(config.get("dataServices", []))
    return service in DATA_ADDON_SERVICES or any(fnmatchcase(service, p) for p in [*MONGO_LIKE, *extra])


def _data_addons(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = args.get_config()
    if args.resource_type != ADDON or not in_production(args.urn, config):
        return
    plan = _text(args.props.get("plan"))
    if not _data_service(_service(plan), config):
        return
    name = _text(args.props.get("name")) or args.name
    small = [p for p in config.get("forbiddenPlans", SMALL_DATA_PLANS) if fnmatchcase(plan, p)]
    if small:
        report(
            f"{name}: {plan} holds production data on a plan without high availability or continuous protection", None
        )
    if not args.opts.protect:
        report(
            f"{name}: production data add-on {plan} is not protected: `pulumi destroy` or a replacement would "
            "delete its data (set protect)",
            None,
        )


def _plain_credentials(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == APP:
        allowed = set(args.get_config().get("allowedPlainNames", []))
        plain = args.props.get("configVars") or {}
        for var, value in sorted(plain.items()) if isinstance(plain, Mapping) else ():
            text = _text(value)
            by_value = looks_like_credential_value(text)
            by_name = looks_like_credential_name(var) and not _harmless(text)
            if var not in allowed and (by_value or by_name):
                why = "its value carries a credential" if by_value else "its name says it is a credential"
                report(f"{args.name}: config var {var} is plain ({why}); move it to sensitiveConfigVars", None)
    elif args.resource_type == DRAIN:
        url = _text(args.props.get("url"))
        if url and looks_like_credential_value(url):
            report(f"{args.name}: the drain URL carries credentials in `url`; set it as `sensitiveUrl`", None)


def _harmless(value: str) -> bool:
    """Values no credential takes: empty, a number, a boolean (ACCESS_TOKEN_EXPIRE_MINUTES=30)."""
    return value.strip().lower() in ("", "true", "false", "on", "off") or value.strip().isdigit()


def _postgres_plan_change(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ADDON:
        return
    plan = _text(args.props.get("plan"))
    if _service(plan) != "heroku-postgresql":
        return
    name = _text(args.props.get("name"))
    running = dict(args.get_config().get("currentPlans", {})).get(name)
    if running and running != plan:
        report(
            f"{name}: changing {running} to {plan} is not an in-place change for Heroku Postgres: the data "
            "moves to a new database (follower changeover or pg:copy) with downtime; follow docs/runbook.md "
            '("A database plan upgrade") before applying',
            None,
        )


# --- stack policies ----------------------------------------------------------------------------


def _siblings(resources: Iterable[PolicyResource]) -> dict[str, list[PolicyResource]]:
    """Resources by parent URN: each app's component holds its app and everything of it."""
    groups: dict[str, list[PolicyResource]] = {}
    for resource in resources:
        parent = resource.parent.urn if resource.parent is not None else resource.opts.parent
        groups.setdefault(parent or "", []).append(resource)
    return groups


def _of_type(resources: Sequence[PolicyResource], token: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type == token]


def _domains_acm(args: StackValidationArgs, report: ReportViolation) -> None:
    for group in _siblings(args.resources).values():
        acm = any(bool(app.props.get("acm")) for app in _of_type(group, APP))
        for domain in _of_type(group, DOMAIN):
            if not acm and not domain.props.get("sniEndpointId"):
                hostname = _text(domain.props.get("hostname")) or domain.name
                report(
                    f"{hostname}: custom domain served without a certificate; set the app's acm (Heroku issues "
                    "and renews one) or an SNI endpoint",
                    domain.urn,
                )


def _preboot(args: StackValidationArgs, report: ReportViolation) -> None:
    config = args.get_config()
    for group in _siblings(args.resources).values():
        apps = _of_type(group, APP)
        if not apps or not in_production(apps[0].urn, config):
            continue
        if not any(f.props.get("type") == "web" for f in _of_type(group, FORMATION)):
            continue
        preboot = [f for f in _of_type(group, FEATURE) if f.props.get("name") == "preboot"]
        if not any(f.props.get("enabled") for f in preboot):
            name = _text(apps[0].props.get("name")) or apps[0].name
            report(f"{name}: preboot is off in production, so every deploy and restart drops requests", apps[0].urn)


# --- the policies ------------------------------------------------------------------------------


def _schema(properties: Mapping[str, Mapping[str, Any]]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in properties.items()})


POLICIES: tuple[ResourceValidationPolicy | StackValidationPolicy, ...] = (
    ResourceValidationPolicy(
        name="production-dyno-size",
        description="Production runs professional dynos: no eco, basic or hobby sizes.",
        validate=_dyno_size,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(
            {**_PRODUCTION, "forbiddenSizes": {"type": "array", "items": {"type": "string"}, "default": SMALL_SIZES}}
        ),
    ),
    ResourceValidationPolicy(
        name="production-web-dynos",
        description="Production runs at least two web dynos, so one can restart while another serves.",
        validate=_web_dynos,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema({**_PRODUCTION, "minWebDynos": {"type": "integer", "default": MIN_WEB_DYNOS}}),
    ),
    ResourceValidationPolicy(
        name="production-data-addons",
        description="Production data add-ons (Postgres, Redis, Mongo-like) are on production plans and protected.",
        validate=_data_addons,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(
            {
                **_PRODUCTION,
                "forbiddenPlans": {"type": "array", "items": {"type": "string"}, "default": SMALL_DATA_PLANS},
                "dataServices": {"type": "array", "items": {"type": "string"}, "default": []},
            }
        ),
    ),
    StackValidationPolicy(
        name="custom-domains-certificate",
        description="Every custom domain is served over HTTPS: the app has ACM on, or the domain an SNI endpoint.",
        validate=_domains_acm,
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
    StackValidationPolicy(
        name="production-preboot",
        description="Production apps with web dynos have preboot on, so deploys and restarts drop no request.",
        validate=_preboot,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(_PRODUCTION),
    ),
    ResourceValidationPolicy(
        name="no-plain-credentials",
        description="No credential-looking value in plain config vars, and no credentials in a drain's plain url.",
        validate=_plain_credentials,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema({"allowedPlainNames": {"type": "array", "items": {"type": "string"}, "default": []}}),
    ),
    ResourceValidationPolicy(
        name="postgres-plan-change",
        description="Warns that changing a Heroku Postgres plan moves the data to a new database.",
        validate=_postgres_plan_change,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=_schema({"currentPlans": {"type": "object", "default": {}}}),
    ),
)
