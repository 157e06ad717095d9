"""Check ids and the globs that select them (`--check`, waivers).

A check id is ``<app key>/<kind>[/<subject>[/<attribute>]]``, e.g. ``web/config/LOG_LEVEL``
or ``web/addon/shopsentiment-staging-redis/plan``. Subjects never contain ``/`` (config var
names, add-on names, hostnames, process types and feature names cannot), so a glob is
matched segment by segment: ``*`` stays within one segment, ``**`` spans any number, and
a pattern that ends early matches everything beneath it (``web/addon`` selects every
add-on check of app ``web``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

# Every kind of check, in the order reports group them.
KINDS = (
    "app",
    "config",
    "addon",
    "attachment",
    "buildpacks",
    "domain",
    "formation",
    "drain",
    "feature",
    "pipeline",
    "release",
    "procfile",
    "access",
    "health",
    "http",
)


def check_id(app: str, kind: str, *parts: str) -> str:
    return "/".join((app, kind, *parts))


def kind_of(check: str) -> str:
    return check.split("/", 2)[1]


class PatternError(ValueError):
    """A check glob that cannot match anything sensible."""


@dataclass(frozen=True)
class CheckPattern:
    """A glob over check ids; see the module docstring for its rules."""

    text: str
    segments: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = self.text.strip()
        if not text:
            raise PatternError("a check pattern must not be empty")
        segments = tuple(text.split("/"))
        if any(not s for s in segments):
            raise PatternError(f"{self.text!r} has an empty segment (use '*' for 'any')")
        object.__setattr__(self, "segments", segments)

    def matches(self, check: str) -> bool:
        """True when the check id is this pattern or lies beneath it."""
        return _match(self.segments, tuple(check.split("/")), prefix_ok=False)

    def may_match(self, app: str, kind: str) -> bool:
        """True when some check of `kind` on `app` could match: used to skip API calls out of scope."""
        return _match(self.segments, (app, kind), prefix_ok=True)

    @property
    def is_wildcard_only(self) -> bool:
        """A pattern of wildcards alone (``*``, ``**``, ``*/*``) matches every check: it asserts nothing."""
        return all(set(s) == {"*"} for s in self.segments)


def _match(pattern: tuple[str, ...], ident: tuple[str, ...], *, prefix_ok: bool) -> bool:
    # pattern exhausted: everything beneath matches. ident exhausted: with prefix_ok the id
    # may continue with anything, so the rest of the pattern may still match.
    if not pattern:
        return True
    if not ident:
        return prefix_ok or all(s == "**" for s in pattern)
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return _match(rest, ident, prefix_ok=prefix_ok) or _match(pattern, ident[1:], prefix_ok=prefix_ok)
    return fnmatchcase(ident[0], head) and _match(rest, ident[1:], prefix_ok=prefix_ok)


@dataclass(frozen=True)
class Scope:
    """What a run looks at: some apps (None = all) and some check globs (empty = all)."""

    apps: frozenset[str] | None = None
    checks: tuple[CheckPattern, ...] = ()

    @classmethod
    def of(cls, apps: Iterable[str] | None = None, checks: Iterable[str] = ()) -> Scope:
        return cls(
            apps=None if apps is None else frozenset(apps),
            checks=tuple(CheckPattern(c) for c in checks),
        )

    def includes_app(self, app: str) -> bool:
        if self.apps is not None and app not in self.apps:
            return False
        return not self.checks or any(_match(p.segments, (app,), prefix_ok=True) for p in self.checks)

    def includes_kind(self, app: str, kind: str) -> bool:
        if not self.includes_app(app):
            return False
        return not self.checks or any(p.may_match(app, kind) for p in self.checks)

    def kinds(self, app: str) -> frozenset[str]:
        return frozenset(k for k in KINDS if self.includes_kind(app, k))

    def includes(self, check: str) -> bool:
        app = check.split("/", 1)[0]
        if self.apps is not None and app not in self.apps:
            return False
        return not self.checks or any(p.matches(check) for p in self.checks)
