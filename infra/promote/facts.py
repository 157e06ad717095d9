"""What an app runs besides its code, as plain data: the input of the environment diff.

`AppFacts` is built, by a pure function (`app_facts`), from the snapshot verification read
of the app (`infra.verify.LiveApp`), so the diff reads nothing of its own and never sees a
raw config value: verification hashed each value on arrival, among others into a
fingerprint scoped by app key and variable (not by app name), so the same value in staging
and production gives the same fingerprint and can be compared without being shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from infra.spec.secret import fingerprint
from infra.verify.live import FetchFailed, LiveApp, LiveAppInfo, portable_scope

# The collections of an app's snapshot `app_facts` reads (names as in `infra.verify.snapshot.COLLECTIONS`).
FACT_COLLECTIONS = frozenset({"config", "addons", "buildpacks", "formation", "features", "domains"})


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
    """A fingerprint equal across environments for the same value of `var` in app `app_key`.

    The one `infra.verify.live.parse_config` keeps as `LiveValue.portable`.
    """
    return fingerprint(value, scope=portable_scope(app_key, var))


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


def app_facts(live: LiveApp) -> AppFacts | None:
    """The facts of one app from verification's snapshot of it; None when the snapshot lacks some (see `missing`).

    The snapshot holds `FACT_COLLECTIONS` when verification was asked for them
    (`VerifyOptions.read_also`) and Heroku answered. Add-ons are those the app owns:
    attachments of other apps' add-ons are sharing, which verification reports. Only custom
    domains count (`kind != "heroku"`), only enabled features; sizes compare case-insensitively
    (Heroku capitalises them).
    """
    info, config, addons, buildpacks = live.info, live.config, live.addons, live.buildpacks
    formation, features, domains = live.formation, live.features, live.domains
    if not (
        isinstance(info, LiveAppInfo)
        and isinstance(config, Mapping)
        and isinstance(addons, tuple)
        and isinstance(buildpacks, tuple)
        and isinstance(formation, tuple)
        and isinstance(features, Mapping)
        and isinstance(domains, tuple)
    ):
        return None
    owned = sorted((a for a in addons if a.owner_app in (None, info.name)), key=lambda a: (a.plan, a.name))
    return AppFacts(
        name=info.name,
        region=info.region or "",
        stack=info.stack or "",
        acm=info.acm,
        buildpacks=buildpacks,
        config={var: value.portable for var, value in sorted(config.items())},
        addons={
            key: AddonFacts(plan=a.plan, config_vars=a.config_vars)
            for key, a in zip(addon_keys(a.plan for a in owned), owned, strict=True)
        },
        formation={
            p.type: ProcessFacts(quantity=p.quantity, size=p.size.lower())
            for p in sorted(formation, key=lambda p: p.type)
        },
        features=frozenset(name for name, enabled in features.items() if enabled),
        domains=frozenset(d.hostname.lower() for d in domains if d.kind != "heroku"),
    )


def missing(live: LiveApp, collections: Iterable[str]) -> str | None:
    """What of the app and `collections` the snapshot lacks, and why, in words; None when it has them all."""
    if not isinstance(live.info, LiveAppInfo):
        return live.info.reason if isinstance(live.info, FetchFailed) else f"Heroku has no app {live.name}"
    for collection in sorted(collections):
        value = getattr(live, collection)  # LiveApp's fields are named after the snapshot's collections
        if isinstance(value, FetchFailed):
            return f"its {collection} could not be read: {value.reason}"
        if value is None:
            return f"its {collection} were not read"
    return None
