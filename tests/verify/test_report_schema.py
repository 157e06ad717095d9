"""The report's schema is generated from its models, and keeps the shape published as `@1`.

`verification-report-1.schema.json` is the schema `--json-schema` published before it was
generated. A change to the models that alters that shape (a field removed, retyped, made
required or allowed to be absent) fails here: bump the version (`@2`) and publish the new shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.verify.findings import Outcome
from infra.verify.reports.document import Counts
from infra.verify.reports.schema import REPORT_SCHEMA

PUBLISHED = json.loads((Path(__file__).parent / "verification-report-1.schema.json").read_text())


def _type_of(value: Any) -> str:
    names = {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string"}
    return names[type(value)]


def shape(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """What a schema node accepts, in one canonical form: `$ref`s resolved, unions merged, prose dropped."""
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        return _merge([shape(a, defs) for a in alternatives])
    declared = node.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    values: set[str] | None = None
    if "const" in node:
        values = {json.dumps(node["const"])}
    if "enum" in node:
        values = {json.dumps(v) for v in node["enum"]}
    if values is None and types == {"null"}:
        values = {"null"}
    if values is not None:
        types |= {_type_of(json.loads(v)) for v in values}
    out: dict[str, Any] = {"types": types, "values": values}
    if "properties" in node:
        out["properties"] = {k: shape(v, defs) for k, v in node["properties"].items()}
        out["required"] = set(node.get("required", []))
        out["additional"] = node.get("additionalProperties", True)
    if "items" in node:
        out["items"] = shape(node["items"], defs)
    out.update({k: node[k] for k in ("minimum", "minLength", "format") if k in node})
    return out


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update({k: v for k, v in part.items() if k not in ("types", "values")})
    merged["types"] = set().union(*(p["types"] for p in parts))
    finite = all(p["values"] is not None for p in parts)
    merged["values"] = set().union(*(p["values"] for p in parts)) if finite else None
    return merged


def test_the_generated_schema_has_the_published_shape() -> None:
    generated = shape(REPORT_SCHEMA, REPORT_SCHEMA.get("$defs", {}))
    published = shape(PUBLISHED, PUBLISHED.get("$defs", {}))

    assert generated == published
    assert (REPORT_SCHEMA["$schema"], REPORT_SCHEMA["$id"]) == (PUBLISHED["$schema"], PUBLISHED["$id"])


def test_the_shape_check_notices_a_retyped_field() -> None:
    retyped = json.loads(json.dumps(PUBLISHED))
    retyped["properties"]["stacks"]["items"]["properties"]["findings"]["items"]["properties"]["attempts"] = {
        "type": "string"
    }

    assert shape(retyped, {}) != shape(PUBLISHED, {})


def test_counts_cover_every_outcome() -> None:
    assert {f.alias or name for name, f in Counts.model_fields.items()} == {o.value for o in Outcome}
