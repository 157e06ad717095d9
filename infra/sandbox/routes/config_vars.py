"""Config vars: `GET`/`PATCH /apps/{app}/config-vars` and a release's snapshot.

PATCH merges: a string sets, `null` deletes (a missing key is harmless), other keys stay; the
answer is the whole resulting map. Keys must match `^\\w+$` and values be strings or null,
else 422. Any effective change makes a release; `{}` (the provider sends it after every app
create and update) changes nothing and makes none.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox.bodies import read_json
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import change_config, find_app, find_release
from infra.sandbox.responses import bad_request, invalid, json_response

KEY = re.compile(r"^\w+$", re.ASCII)


def parse_changes(body: object) -> dict[str, str | None]:
    """The PATCH body as changes, or 400/422 naming what is wrong."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object of config var names to values.")
    wrong_keys = sorted(key for key in body if not KEY.match(key))
    if wrong_keys:
        raise invalid(f"Invalid config var names: {', '.join(wrong_keys)} (letters, digits and _ only).")
    wrong_values = sorted(key for key, value in body.items() if value is not None and not isinstance(value, str))
    if wrong_values:
        raise invalid(f"Config var values must be strings or null: {', '.join(wrong_values)}.")
    return dict(body)


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(find_app(tx, request.path_params["app"])["_config"])


async def update(request: Request) -> Response:
    changes = parse_changes(await read_json(request))
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        change_config(sandbox, tx, app, changes)
        app = find_app(tx, app["id"])
        return json_response(app["_config"])


async def release_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(find_release(tx, app, request.path_params["release"])["_config"])


routes = [
    Route("/apps/{app}/config-vars", info, methods=["GET"]),
    Route("/apps/{app}/config-vars", update, methods=["PATCH"]),
    Route("/apps/{app}/releases/{release}/config-vars", release_info, methods=["GET"]),
]
