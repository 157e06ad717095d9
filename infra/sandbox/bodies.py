"""Reading request bodies: JSON or 400 `bad_request`, then a strict model or 422 `invalid_params`.

Models are strict (no "2" for 2) and ignore unknown fields, as Heroku does; an empty body
reads as `{}` because the provider sends none on bodyless calls (ACM enable, deletes).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request

from infra.sandbox.responses import bad_request, invalid


class Body(BaseModel):
    """Base of every request body model."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid JSON in the request body.") from None


def _describe(err: ValidationError) -> str:
    problems = []
    for item in err.errors():
        where = ".".join(str(part) for part in item["loc"]) or "body"
        problems.append(f"{where}: {item['msg']}")
    return "Invalid params: " + "; ".join(problems) + "."


def parse(model: type[M], value: Any) -> M:
    """`value` as `model`, or 422 naming each field that is wrong."""
    if not isinstance(value, dict):
        raise bad_request("The request body must be a JSON object.")
    try:
        return model.model_validate(value)
    except ValidationError as err:
        raise invalid(_describe(err)) from None


async def read_body(request: Request, model: type[M]) -> M:
    return parse(model, await read_json(request))
