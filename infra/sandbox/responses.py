"""Heroku-shaped answers: JSON bodies, `{"id","message"}` errors, and the exception handlers raise.

Error ids are Heroku's (Platform API reference, "Error Responses"); the provider keys on
`id == "not_found"` to decide a resource is gone, so ids matter more than messages.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

JSON_TYPE = "application/json; charset=utf-8"

# The message Heroku gives for an endpoint that does not exist (or a verb it does not serve).
UNKNOWN_ENDPOINT = (
    "The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), "
    "and did you specify your intended version with the `Accept` header?"
)


class ApiError(Exception):
    """Raised anywhere in a handler; becomes `status` with body `{"id": error_id, "message": message}`."""

    def __init__(
        self,
        status: int,
        error_id: str,
        message: str,
        *,
        resource: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_id}: {message}")
        self.status = status
        self.error_id = error_id
        self.message = message
        self.resource = resource
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.error_id, "message": self.message}
        if self.resource is not None:
            out["resource"] = self.resource
        return out


def not_found(resource: str, identity: str | None = None) -> ApiError:
    """404 `not_found` naming the kind of resource, as Heroku's "Couldn't find that app." does.

    `resource` is Heroku's machine name for the kind (`add_on`, `add_on attachment`): the Heroku CLI
    tells "no such add-on here, look elsewhere" from other 404s by it.
    """
    suffix = f" ({identity})" if identity is not None else ""
    noun = resource.replace("_", " ")
    return ApiError(404, "not_found", f"Couldn't find that {noun}.{suffix}", resource=resource)


def invalid(message: str) -> ApiError:
    """422 `invalid_params`: the request was well-formed JSON but a field is not acceptable."""
    return ApiError(422, "invalid_params", message)


def bad_request(message: str) -> ApiError:
    """400 `bad_request`: the body could not be read as a JSON object."""
    return ApiError(400, "bad_request", message)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact JSON response (Heroku's bodies carry no insignificant whitespace)."""
    data = json.dumps(body, separators=(",", ":"), sort_keys=False).encode()
    return Response(data, status_code=status, headers=headers, media_type=JSON_TYPE)


def error_response(err: ApiError) -> Response:
    return json_response(err.body(), status=err.status, headers=err.headers)
