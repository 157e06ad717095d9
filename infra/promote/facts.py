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

    Add-ons are those the app owns (`addon.app.id` is the app): attachments of other apps'
    add-ons are code-independent sharing and are reported by verification, not here.
    Only custom domains count (`kind != "heroku"`), only enabled features, sizes compare
    case-insensitively (Heroku capitalises them).
    """
    app_id = app.get("id")
    owned = [a for a in addons if (a.get("app") or {}).get("id") in (None, app_id)]
    owned.sort(key=lambda a: (str((a.get("plan") or {}).get("name", "")), str(a.get("name", ""))))
    plans = [str((a.get("plan") or {}).get("name", "")) for a in owned]
    stack = app.get("build_stack") or app.get("stack") or {}
    return AppFacts(
        name=str(app.get("name", "")),
        region=str((app.get("region") or {}).get("name", "")),
        stack=str(stack.get("name", "")),
        acm=bool(app.get("acm")),
        buildpacks=tuple(
            str((b.get("buildpack") or {}).get("name", ""))
            for b in sorted(buildpacks, key=lambda b: int(b.get("ordinal", 0)))
        ),
        config={
            var: value_fingerprint(app_key, var, value)
            for var, value in sorted(config_vars.items())
            if value is not None
        },
        addons={
            key: AddonFacts(plan=plan, config_vars=tuple(str(v) for v in (a.get("config_vars") or ())))
            for key, plan, a in zip(addon_keys(plans), plans, owned, strict=True)
        },
        formation={
            str(p["type"]): ProcessFacts(quantity=int(p.get("quantity", 0)), size=_size(p))
            for p in sorted(formation, key=lambda p: str(p.get("type")))
        },
        features=frozenset(str(f["name"]) for f in features if f.get("enabled")),
        domains=frozenset(str(d["hostname"]).lower() for d in domains if d.get("kind") != "heroku"),
    )


def _size(process: JSON) -> str:
    size = process.get("size") or (process.get("dyno_size") or {}).get("name") or ""
    return str(size).lower()
