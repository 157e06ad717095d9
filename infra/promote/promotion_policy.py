"""The promotion policy: what may differ between staging and production, and what must (not) match.

It lives in `promotion.yaml` beside `Pulumi.yaml` and is reviewed like code. Every entry
names a difference path and a reason::

    may_differ:
      - path: web/formation/web/quantity
        reason: production runs two dynos so one can restart while the other serves
    must_match:
      - path: web/config/MONGODB_DB_NAME
        reason: both environments read the same database name
    must_differ:
      - path: web/config/SECRET_KEY
        reason: a key leaked from staging must not sign production sessions

A path is ``<app key>/<aspect>[/<item>[/<attribute>]]`` and each segment is a glob
(``*``, ``?``, ``[...]``). The aspects and their items are those of
`infra.promote.envdiff` (`ASPECTS`). `must_match` and `must_differ` apply to config
values only (``<app>/config/<VAR>``); values are compared by fingerprint, never shown.

A missing file is an empty policy: nothing may differ, and every difference blocks with
the entry that would allow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from infra.errors import SpecError
from infra.spec.base import Model
from infra.spec.loader import issues_from
from infra.spec.yaml_source import read_yaml

POLICY_FILE = "promotion.yaml"

# aspect -> (item allowed?, attributes allowed after the item)
ASPECT_SHAPES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "region": (False, ()),
    "stack": (False, ()),
    "acm": (False, ()),
    "buildpacks": (False, ()),
    "config": (True, ()),
    "addons": (True, ("plan",)),
    "formation": (True, ("quantity", "size")),
    "features": (True, ()),
    "domains": (True, ()),
}


def _check_path(value: str) -> str:
    parts = value.split("/")
    aspect = parts[1] if len(parts) > 1 else None
    shape = ASPECT_SHAPES.get(aspect or "")
    if any(not p for p in parts) or aspect is None or shape is None:
        raise PydanticCustomError(
            "policy_path",
            "must be <app key>/<aspect>[/<item>[/<attribute>]] with aspect one of {aspects} (got {got})",
            {"aspects": ", ".join(ASPECT_SHAPES), "got": repr(value)},
        )
    has_item, attributes = shape
    if len(parts) > 2 and not has_item:
        raise PydanticCustomError(
            "policy_path",
            "{aspect} takes no item: write <app key>/{aspect} (got {got})",
            {"aspect": aspect, "got": repr(value)},
        )
    if len(parts) > 3 and (len(parts) > 4 or not any(fnmatchcase(a, parts[3]) for a in attributes)):
        allowed = ", ".join(attributes) or "none"
        raise PydanticCustomError(
            "policy_path",
            "{aspect}/<item> takes the attributes {allowed} (got {got})",
            {"aspect": aspect, "allowed": allowed, "got": repr(value)},
        )
    return value


def _check_value_path(value: str) -> str:
    parts = _check_path(value).split("/")
    if parts[1] != "config" or len(parts) != 3:
        raise PydanticCustomError(
            "policy_path", "compares config values only: write <app key>/config/<VAR> (got {got})", {"got": repr(value)}
        )
    return value


class Rule(Model):
    """One reviewed entry: which differences it covers and why."""

    path: str = Field(min_length=1)
    reason: str = Field(min_length=1, description="why this is so; shown next to every difference it covers")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return _check_path(value)

    def covers(self, path: str) -> bool:
        """True when this rule's glob path matches the difference `path` segment by segment.

        A rule on an item covers its attributes too: ``web/addons/heroku-redis`` covers
        ``web/addons/heroku-redis/plan``.
        """
        mine = self.path.split("/")
        theirs = path.split("/")
        return len(mine) <= len(theirs) and all(fnmatchcase(t, m) for m, t in zip(mine, theirs, strict=False))


class ValueRule(Rule):
    @field_validator("path")
    @classmethod
    def _value_path(cls, value: str) -> str:
        return _check_value_path(value)


class PromotionPolicy(Model):
    """The whole policy file."""

    may_differ: tuple[Rule, ...] = Field(default=(), strict=False)
    must_match: tuple[ValueRule, ...] = Field(default=(), strict=False)
    must_differ: tuple[ValueRule, ...] = Field(default=(), strict=False)

    def allowing(self, path: str) -> Rule | None:
        """The first `may_differ` rule that covers `path`, if any."""
        return next((rule for rule in self.may_differ if rule.covers(path)), None)

    def value_rule(self, path: str) -> tuple[str, ValueRule] | None:
        """("match" or "differ", rule) for the first value rule covering the config path `path`."""
        for kind, rules in (("match", self.must_match), ("differ", self.must_differ)):
            for rule in rules:
                if rule.covers(path):
                    return kind, rule
        return None


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy and where it came from (None when the project has no policy file)."""

    policy: PromotionPolicy
    source: Path | None

    @property
    def label(self) -> str:
        return self.source.name if self.source is not None else f"no {POLICY_FILE} (nothing may differ)"


def load_policy(project_dir: Path, path: Path | None = None) -> LoadedPolicy:
    """The promotion policy from `path` (or `<project>/promotion.yaml`); a SpecError if it is malformed.

    An explicitly given path must exist; the default one may be absent (empty policy).
    """
    source = path if path is not None else project_dir / POLICY_FILE
    if path is None and not source.exists():
        return LoadedPolicy(PromotionPolicy(), None)
    raw = read_yaml(source)
    try:
        return LoadedPolicy(PromotionPolicy.model_validate(raw if raw is not None else {}), source)
    except ValidationError as err:
        raise SpecError(source.name, None, issues_from(err)) from None
