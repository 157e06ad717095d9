"""Reading Heroku's answers: bodies into JSON, error bodies and lost connections into `infra.errors` types.

This is the one seam where httpx's responses and exceptions become the product's: error classes
are chosen by Heroku's error ``id`` (`infra.errors.api_error_class`), every error carries method,
path, status and Heroku's ``Request-Id``, and a body that is not Heroku's JSON is summarised,
never echoed (it could be an HTML page, or hold a config var).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from infra.errors import HerokuAPIError, RateLimited, UnexpectedResponse, api_error_class


@dataclass(frozen=True)
class Page:
    """One usable answer: its status, ``Next-Range``, raw body and the ``Request-Id`` to quote."""

    status: int
    next_range: str | None
    body: bytes
    request_id: str


def error_body(response: httpx.Response) -> tuple[str, str]:
    """Heroku's ``{"id", "message"}``, or ``unknown`` and the reason phrase when the body is not that."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("id"), str) and isinstance(body.get("message"), str):
        return body["id"], body["message"]
    return "unknown", f"{response.reason_phrase or 'error'} (the body was not Heroku's JSON error)"


def api_error(method: str, path: str, response: httpx.Response, request_id: str) -> HerokuAPIError:
    """The typed exception for an error answer."""
    error_id, message = error_body(response)
    cls = api_error_class(error_id, response.status_code)
    return cls(
        method=method,
        path=path,
        status=response.status_code,
        error_id=error_id,
        message=message,
        request_id=request_id,
    )


def rate_limit_exhausted(
    method: str,
    path: str,
    response: httpx.Response,
    request_id: str,
    *,
    waited: float,
    asked: float | None,
    limit: float,
) -> RateLimited:
    """`RateLimited` for a 429 the client stops waiting on, saying why it stopped."""
    error_id, message = error_body(response)
    if asked is not None and asked > limit - waited:
        why = f"Heroku asked to wait {asked:.0f}s, more than the {limit - waited:.0f}s left of the {limit:.0f}s limit"
    else:
        why = f"gave up after waiting {waited:.0f}s of the {limit:.0f}s limit"
    return RateLimited(
        method=method,
        path=path,
        status=429,
        error_id=error_id,
        message=f"{message} ({why})",
        request_id=request_id,
    )


def decode(page: Page, *, method: str, path: str) -> Any:
    """The page's body as JSON (None when empty); `UnexpectedResponse` when it is not JSON."""
    if not page.body.strip():
        return None
    try:
        return json.loads(page.body)
    except ValueError:
        raise UnexpectedResponse(
            method=method, path=path, status=page.status, reason="the body is not JSON", request_id=page.request_id
        ) from None


def json_kind(value: Any) -> str:
    """What a JSON value is, for messages: ``an object``, ``an array``, ``nothing``, ``str``…"""
    if isinstance(value, list):
        return "an array" if all(isinstance(item, dict) for item in value) else "an array of non-objects"
    if isinstance(value, dict):
        return "an object"
    return "nothing" if value is None else type(value).__name__


def describe_transport_error(exc: httpx.TransportError) -> str:
    """``<httpx exception name>: <its text>``; httpx's texts name the failure, never headers or bodies."""
    detail = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name
