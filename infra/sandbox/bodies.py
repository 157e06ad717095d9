"""Reading request bodies: JSON or 400 `bad_request`, then a strict model or 422 `invalid_params`.

Models are strict (no "2" for 2) and ignore unknown fields, as Heroku does; an empty body
reads as `{}` because the provider sends none on bodyless calls (ACM enable, deletes). Where
Heroku is more lenient than its schema, so are `Identity` (an identity object for an identity
string) and `WholeNumber` (a numeric string for an integer).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from starlette.requests import Request

from infra.sandbox.responses import bad_request, invalid


class Body(BaseModel):
    """Base of every request body model.

    Optional fields default to None when left out, but an explicit `null` is refused unless
    the field is in `nullable` (the schema allows null there): Heroku's schema types most
    fields as plain strings, and clients leave out what they do not set.
    """

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_stray_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key in cls.model_fields and key not in cls.nullable:
                    raise ValueError(f"{key} must not be null")
        return data


def _identity(value: Any) -> Any:
    # Heroku takes an identity object ({"id": ...} or {"name": ...}) wherever its schema names an
    # identity string; the Heroku CLI sends `"plan": {"name": "heroku-redis:mini"}`. Anything else is
    # left for the strict string type to refuse.
    if isinstance(value, dict) and value and set(value) <= {"id", "name"}:
        return value.get("id", value.get("name"))
    return value


def _whole_number(value: Any) -> Any:
    # Heroku coerces a numeric string ("2") where its schema says integer; the Heroku CLI's
    # `ps:scale web=2` sends the quantity that way.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
        return int(value)
    return value


Identity = Annotated[str, BeforeValidator(_identity)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]

M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid JSON in the request body.") from None
    except RecursionError:
        raise bad_request("The request body is nested too deeply.") from None


def _not_json(constant: str) -> Any:
    """NaN and Infinity are Python's extension, not JSON: Heroku's parser refuses them."""
    raise ValueError(constant)


def _describe(err: ValidationError) -> str:
    problems = []
    for item in err.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
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


def email_param(value: str, field: str) -> str:
    """`value` stripped, or 422 as Heroku answers a field that is not an email address."""
    email = value.strip()
    if "@" not in email:
        raise invalid(f"Invalid params: {field} {email!r} is not an email address.")
    return email
