"""The vocabulary of a rehearsal script: requests, polls and pauses, as plain data.

A `Script` is what the provider does to create one resource. Paths are templates: a
``{name.field}`` placeholder is a field of an earlier answer of the same script, kept under
`name` (``/apps/{app.id}/releases/{release.id}``); a `Kept` in a request body is the same for
a body value. Everything else is literal, so a script can be compared whole in a test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"\{([a-z_]+)((?:\.[a-z_]+)+)\}")


@dataclass(frozen=True)
class Kept:
    """A field of an earlier answer of the same script: ``Kept("app", "name")``."""

    answer: str
    field: str


@dataclass(frozen=True)
class Call:
    """One request. `keep` names its answer for later steps; `retry_while` resends it while Heroku's
    error message contains that text, for at most `retry_for` seconds (the provider's drain create)."""

    method: str
    path: str
    body: Any = field(default=None, repr=False)  # may carry secret values: never in a repr
    keep: str | None = None
    retry_while: str | None = None
    retry_for: float = 0.0
    absent_ok: bool = False  # a 404 is the answer hoped for (a read that confirms a delete)


@dataclass(frozen=True)
class NewestRelease:
    """``GET path`` with ``Range: version ..; max=1, order=desc``: the newest release, kept as `keep`."""

    path: str
    keep: str


@dataclass(frozen=True)
class Poll:
    """``GET path`` until `field` is one of `target`; while it is one of `pending`, wait and ask again.

    Any other value fails at once, as in Terraform's `StateChangeConf`. `by_provider` is False for
    a wait the rehearsal adds that the provider does not make (said where it is used).
    """

    path: str
    field: str
    pending: tuple[str, ...]
    target: tuple[str, ...]
    timeout: float
    what: str
    by_provider: bool = True


@dataclass(frozen=True)
class AwaitConfigVars:
    """``GET path`` (config vars) until every name listed in `names` is set."""

    path: str
    names: Kept
    timeout: float


@dataclass(frozen=True)
class Pause:
    """The provider sleeping (its post-create delays); skipped when 0."""

    seconds: float
    why: str


Step = Call | NewestRelease | Poll | AwaitConfigVars | Pause


@dataclass(frozen=True)
class Script:
    """The steps that create one resource, and its outputs (templates: ``{"id": "{app.id}"}``)."""

    steps: tuple[Step, ...]
    outputs: Mapping[str, str]


def field_of(answers: Mapping[str, Any], answer: str, dotted: str) -> Any:
    """``answers[answer]`` followed down `dotted` (``release.id``); KeyError naming what is missing."""
    value: Any = answers.get(answer)
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"{answer}.{dotted}")
        value = value[part]
    return value


def fill(template: str, answers: Mapping[str, Any]) -> str:
    """`template` with each ``{name.field}`` replaced by that field of the kept answers."""
    return PLACEHOLDER.sub(lambda m: str(field_of(answers, m.group(1), m.group(2)[1:])), template)


def fill_body(body: Any, answers: Mapping[str, Any]) -> Any:
    """`body` with each `Kept` replaced by the value it names."""
    if isinstance(body, Kept):
        return field_of(answers, body.answer, body.field)
    if isinstance(body, dict):
        return {k: fill_body(v, answers) for k, v in body.items()}
    if isinstance(body, list):
        return [fill_body(v, answers) for v in body]
    return body
