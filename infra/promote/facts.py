"""What an app runs besides its code, as plain data: the input of the environment diff.

`AppFacts` is built from the Platform API's JSON for one app (`app_facts`), by a pure
function, so the diff never sees raw config values: each value is reduced on the spot to a
fingerprint scoped by app key and variable (not by app name), so the same value in staging
and production gives the same fingerprint and can be compared without being shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.spec.secret import fingerprint
from infra.verify.live import parse_addon, parse_app, parse_buildpacks, parse_domain, parse_features, parse_process

JSON = dict[str, Any]


@dataclass(frozen=True)
class AddonFacts:
    """One add-on: its plan (`service:plan`) and the config vars it sets on the app."""

    plan: str
    config_vars: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        return self.plan.split(":", 1)[0]


@dataclass(frozen=True)
class ProcessFacts:
    quantity: int
    size: str


@dataclass(frozen=True)
class AppFacts:
    """Everything the environment diff compares for one app; `config` maps a var to its value's fingerprint."""

    name: str
    region: str = "us"
    stack: str = "heroku-24"
    acm: bool = False
    buildpacks: tuple[str, ...] = ()
    config: Mapping[str, str] = field(default_factory=dict)
    addons: Mapping[str, AddonFacts] = field(default_factory=dict)
    formation: Mapping[str, ProcessFacts] = field(default_factory=dict)
    features: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()


def value_fingerprint(app_key: str, var: str, value: str) -> str:
    """A fingerprint equal across environments for the same value of `var` in app `app_key`."""
    return fingerprint(value, scope=f"promotion/{app_key}/{var}")


def addon_keys(plans: Iterable[str]) -> list[str]:
    """The diff's identity for each add-on, in order: its service, numbered when a service repeats.

    Two Postgres databases on one app become ``heroku-postgresql`` and ``heroku-postgresql#2``.
    """
    seen: dict[str, int] = {}
    keys = []
    for plan in plans:
        service = plan.split(":", 1)[0]
        seen[service] = seen.get(service, 0) + 1
        keys.append(service if seen[service] == 1 else f"{service}#{seen[service]}")
    return keys


def app_facts(
    app_key: str,
    *,
    app: JSON,
    config_vars: Mapping[str, str | None],
    addons: list[JSON],
    buildpacks: list[JSON],
    formation: list[JSON],
    features: list[JSON],
    domains: list[JSON],
) -> AppFacts:
    """The facts of one app from the Platform API's JSON (`GET /apps/{app}` and its collections).

    Parsed by verification's own parsers (`infra.verify.live`), so both read Heroku alike.
    Add-ons are those the app owns: attachments of other apps' add-ons are sharing, which
    verification reports. Only custom domains count (`kind != "heroku"`), only enabled
    features; sizes compare case-insensitively (Heroku capitalises them).
    """
    info = parse_app(app)
    owned = sorted(
        (a for a in map(parse_addon, addons) if a.owner_app in (None, info.name)), key=lambda a: (a.plan, a.name)
    )
    return AppFacts(
        name=info.name,
        region=info.region or "",
        stack=info.stack or "",
        acm=info.acm,
        buildpacks=parse_buildpacks(buildpacks),
        config={
            var: value_fingerprint(app_key, var, value)
            for var, value in sorted(config_vars.items())
            if value is not None
        },
        addons={
            key: AddonFacts(plan=a.plan, config_vars=a.config_vars)
            for key, a in zip(addon_keys(a.plan for a in owned), owned, strict=True)
        },
        formation={
            p.type: ProcessFacts(quantity=p.quantity, size=p.size.lower())
            for p in sorted(map(parse_process, formation), key=lambda p: p.type)
        },
        features=frozenset(name for name, enabled in parse_features(features).items() if enabled),
        domains=frozenset(d.hostname.lower() for d in map(parse_domain, domains) if d.kind != "heroku"),
    )
