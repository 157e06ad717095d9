"""Heroku's `Range` pagination: parse the header, cut one page, describe it and the next.

Grammar (Platform API reference, "Ranges"): ``<field> [[|]]<start>..[<end>][; max=<n>][, order=asc|desc]``.
Parameters after `;` are separated by `,` or `;` and may carry spaces (heroku-go sends
``version ..; max=1,order=desc``). A leading `]` on the start value makes it exclusive.
Default page 200; a larger `max` than 1000 is clamped to 1000. An unsupported field or an
unreadable header is 416 `requested_range_not_satisfiable`. More data after the page means
206 and a `Next-Range` that inherits `max` and `order`; the last page is 200 with none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from infra.sandbox.responses import ApiError, json_response

DEFAULT_MAX = 200
LIMIT_MAX = 1000


@dataclass(frozen=True)
class RangeSpec:
    field: str
    start: str | None = None
    start_exclusive: bool = False
    end: str | None = None
    max: int = DEFAULT_MAX
    descending: bool = False


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    status: int
    headers: dict[str, str]


def _unsatisfiable(message: str) -> ApiError:
    return ApiError(416, "requested_range_not_satisfiable", message)


def parse_range(header: str | None, fields: Sequence[str]) -> RangeSpec:
    """The page a `Range` header asks for; the first of `fields` is the default sort field."""
    if header is None or not header.strip():
        return RangeSpec(field=fields[0])
    head, _, params = header.partition(";")
    head = head.strip()
    field, _, bounds = head.partition(" ")
    if field not in fields:
        allowed = ", ".join(fields)
        raise _unsatisfiable(f"Range by {field!r} is not supported here; sortable fields: {allowed}.")
    bounds = bounds.strip()
    start: str | None = None
    end: str | None = None
    exclusive = False
    if bounds:
        if ".." not in bounds:
            raise _unsatisfiable(f"Invalid range {header!r}: expected `{field} <start>..<end>`.")
        raw_start, _, raw_end = bounds.partition("..")
        if raw_start.startswith("]"):
            exclusive = True
            raw_start = raw_start[1:]
        elif raw_start.startswith("["):
            raw_start = raw_start[1:]
        raw_end = raw_end.rstrip("[]").strip()
        start = raw_start.strip() or None
        end = raw_end or None
        if end is not None and start is None:
            raise _unsatisfiable(f"Invalid range {header!r}: a range needs a start value when it has an end.")
    size = DEFAULT_MAX
    descending = False
    for raw in params.replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise _unsatisfiable(f"Invalid range parameter {item!r} in {header!r}.")
        if key == "max":
            if not value.isdigit() or int(value) < 1:
                raise _unsatisfiable(f"Invalid range {header!r}: max must be a positive integer.")
            size = min(int(value), LIMIT_MAX)
        elif key == "order":
            if value not in ("asc", "desc"):
                raise _unsatisfiable(f"Invalid range {header!r}: order must be asc or desc.")
            descending = value == "desc"
        else:
            raise _unsatisfiable(f"Invalid range parameter {key!r} in {header!r}.")
    return RangeSpec(field=field, start=start, start_exclusive=exclusive, end=end, max=size, descending=descending)


def _key(value: Any) -> tuple[int, Any]:
    # Integers (release versions) sort numerically, everything else as text; nulls sort first.
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int):
        return (1, value)
    return (2, str(value))


def _bound(value: str, sample: Any) -> tuple[int, Any]:
    if isinstance(sample, int) and not isinstance(sample, bool):
        try:
            return (1, int(value))
        except ValueError:
            raise _unsatisfiable(f"Invalid range value {value!r}: expected an integer.") from None
    return (2, value)


def _render(value: Any) -> str:
    return "" if value is None else str(value)


def _past_start(key: tuple[int, Any], lo: tuple[int, Any], spec: RangeSpec) -> bool:
    if key == lo:
        return not spec.start_exclusive
    return key < lo if spec.descending else key > lo


def _before_end(key: tuple[int, Any], hi: tuple[int, Any], spec: RangeSpec) -> bool:
    return key >= hi if spec.descending else key <= hi


def paginate(
    items: Sequence[dict[str, Any]], spec: RangeSpec, fields: Sequence[str], keys: Mapping[str, str] | None = None
) -> Page:
    """One page of `items` (already public JSON objects) as the `Range` spec asks.

    `keys` maps a range field to the item key holding its value when they differ
    (builds range by `started_at`, which is their `created_at`).
    """
    key = (keys or {}).get(spec.field, spec.field)
    ordered = sorted(items, key=lambda item: _key(item.get(key)), reverse=spec.descending)
    if ordered and spec.start is not None:
        lo = _bound(spec.start, ordered[0].get(key))
        ordered = [i for i in ordered if _past_start(_key(i.get(key)), lo, spec)]
    if ordered and spec.end is not None:
        hi = _bound(spec.end, ordered[0].get(key))
        ordered = [i for i in ordered if _before_end(_key(i.get(key)), hi, spec)]
    page = ordered[: spec.max]
    headers = {"Accept-Ranges": ", ".join(fields)}
    if page:
        first, last = _render(page[0].get(key)), _render(page[-1].get(key))
        headers["Content-Range"] = f"{spec.field} {first}..{last}"
    if len(ordered) > spec.max:
        order = ", order=desc" if spec.descending else ""
        headers["Next-Range"] = f"{spec.field} ]{_render(page[-1].get(key))}..; max={spec.max}{order}"
        return Page(items=page, status=206, headers=headers)
    return Page(items=page, status=200, headers=headers)


def list_response(
    request: Request,
    items: Sequence[dict[str, Any]],
    fields: Sequence[str] = ("id",),
    keys: Mapping[str, str] | None = None,
) -> Response:
    """A list endpoint's answer: the page the request's `Range` asks for, with Heroku's range headers."""
    page = paginate(items, parse_range(request.headers.get("range"), fields), fields, keys)
    return json_response(page.items, status=page.status, headers=page.headers)
