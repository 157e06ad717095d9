"""Heroku's official hyper-schema as a test oracle: find the link for a request, validate bodies (draft-04).

`#/definitions/...` references resolve against the whole schema document. Formats checked:
`date-time` (RFC 3339 with `Z`, as Heroku writes them and heroku-go decodes them), `uuid`
and `email`; `uri` is not (the schema puts it on bare hostnames).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import SHARED_DIR

SCHEMA_PATH = SHARED_DIR / "heroku" / "platform-api-schema.json"
PLACEHOLDER = re.compile(r"\{\([^)]*\)\}")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


@dataclass(frozen=True)
class Link:
    resource: str
    title: str
    method: str
    href: str
    template: str  # the href with every `{(...)}` placeholder as `{}`
    pattern: re.Pattern[str]
    request: dict[str, Any] | None
    target: dict[str, Any] | None


@cache
def document() -> dict[str, Any]:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"Heroku's platform API schema is not at {SCHEMA_PATH} (../shared beside the repository)")
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def template_of(href: str) -> str:
    return PLACEHOLDER.sub("{}", href)


@cache
def links() -> tuple[Link, ...]:
    found = []
    for resource, definition in document()["definitions"].items():
        for link in definition.get("links", []):
            template = template_of(link["href"])
            parts = [re.escape(part) for part in template.split("{}")]
            pattern = re.compile("^" + "([^/]+|[a-z+]+://.+)".join(parts) + "$")
            found.append(
                Link(
                    resource=resource,
                    title=link.get("title", ""),
                    method=link["method"].upper(),
                    href=link["href"],
                    template=template,
                    pattern=pattern,
                    request=link.get("schema"),
                    target=link.get("targetSchema"),
                )
            )
    return tuple(found)


def link_for(method: str, path: str, body: Any = None) -> Link | None:
    """The schema link a request is for; the most literal match wins, a rollback body picks Rollback."""
    matches = [link for link in links() if link.method == method and link.pattern.match(path)]
    if not matches:
        return None
    literal = max(len(m.template.replace("{}", "")) for m in matches)
    matches = [m for m in matches if len(m.template.replace("{}", "")) == literal]
    if len(matches) > 1 and isinstance(body, dict):
        wanted = "Rollback" if "release" in body else "Create"
        matches = [m for m in matches if m.title == wanted] or matches
    return matches[0]


def _absolute(node: Any, base: str) -> Any:
    if isinstance(node, dict):
        return {k: (base + v if k == "$ref" and v.startswith("#") else _absolute(v, base)) for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute(item, base) for item in node]
    return node


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(_DATE_TIME.match(value))

    @checker.checks("uuid")
    def is_uuid(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            return str(uuid.UUID(value)) == value
        except ValueError:
            return False

    @checker.checks("email")
    def is_email(value: object) -> bool:
        return not isinstance(value, str) or "@" in value

    return checker


@cache
def _registry() -> tuple[str, Registry[Any]]:
    root = document()
    base = str(root.get("id", "urn:heroku-platform-api")).rstrip("#")
    resource = Resource(contents=root, specification=DRAFT4)
    return base, Registry().with_resource(base, resource)


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Every way `instance` breaks `schema` (a fragment of the Heroku schema), as readable lines."""
    base, registry = _registry()
    validator = Draft4Validator(_absolute(schema, base), registry=registry, format_checker=_format_checker())
    return sorted(
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    )


# Where Heroku accepts more than its schema says (and real clients rely on it), the oracle does too:
# an identity object ({"id": ...} or {"name": ...}) wherever an identity string is named (the Heroku CLI's
# `"plan": {"name": ...}`), and a numeric string for an integer quantity (its `ps:scale web=2`).
_IDENTITY_OBJECT = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "additionalProperties": False,
    "minProperties": 1,
}
_NUMERIC_STRING = {"type": "string", "pattern": "^[0-9]{1,9}$"}


def lenient(schema: Any, _inlined: frozenset[str] = frozenset()) -> Any:
    """`schema` (a request schema) accepting what Heroku accepts beyond it (see above).

    A reference to an object definition (a batch update's item) is inlined so the leniency
    reaches its fields too.
    """
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.endswith(("/identity", "/definitions/id")):
            return {"anyOf": [schema, _IDENTITY_OBJECT]}
        if isinstance(ref, str) and ref.endswith("/definitions/quantity"):
            return {"anyOf": [schema, _NUMERIC_STRING]}
        if isinstance(ref, str) and ref.startswith("#/") and ref not in _inlined:
            target = _resolve(ref)
            if isinstance(target, dict) and "properties" in target:
                return lenient(target, _inlined | {ref})
        return {k: lenient(v, _inlined) for k, v in schema.items()}
    if isinstance(schema, list):
        return [lenient(item, _inlined) for item in schema]
    return schema


def _resolve(ref: str) -> Any:
    node: Any = document()
    for part in ref.removeprefix("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node


# Request bodies the sandbox accepts although the schema would not, each because a real client sends them.
TOLERATED_REQUEST_DEVIATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # The Heroku CLI (`ps:scale`) and provider v5.2.10 send the legacy top-level `size`; the
    # schema's batch item forbids extra properties, but Heroku accepts it.
    ("PATCH", "/apps/{}/formation"): ("size",),
    # `heroku addons:rename` sends only the new `name`; the schema requires `plan`, Heroku does not.
    ("PATCH", "/apps/{}/addons/{}"): ("'plan' is a required property",),
    # The Heroku CLI resolves add-ons and attachments with `"app": null` (and `addon_service`) when
    # it has none to give.
    ("POST", "/actions/addons/resolve"): ("app: None", "addon_service: None"),
    ("POST", "/actions/addon-attachments/resolve"): ("app: None", "addon_service: None"),
}


def unexplained(method: str, href: str, problems: list[str]) -> list[str]:
    tolerated = TOLERATED_REQUEST_DEVIATIONS.get((method, template_of(href)), ())
    return [p for p in problems if not any(t in p for t in tolerated)]
