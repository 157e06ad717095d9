"""Buildpack installations: `GET` the ordered list, `PUT` replaces it whole (empty `updates` clears it)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import find_app
from infra.sandbox.responses import invalid, json_response
from infra.sandbox.store import Record


class BuildpackUpdate(Body):
    buildpack: str


class BuildpackUpdates(Body):
    updates: list[BuildpackUpdate]


def installations(app: Record) -> list[Record]:
    return [{"ordinal": n, "buildpack": offerings.buildpack(bp)} for n, bp in enumerate(app["_buildpacks"])]


async def list_installations(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(installations(find_app(tx, request.path_params["app"])))


async def replace(request: Request) -> Response:
    body = await read_body(request, BuildpackUpdates)
    if any(not update.buildpack.strip() for update in body.updates):
        raise invalid("Invalid params: buildpack must be a buildpack name, URL or URN.")
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        app["_buildpacks"] = [update.buildpack for update in body.updates]
        app["updated_at"] = tx.stamp
        tx.put("app", app)
        return json_response(installations(app))


routes = [
    Route("/apps/{app}/buildpack-installations", list_installations, methods=["GET"]),
    Route("/apps/{app}/buildpack-installations", replace, methods=["PUT"]),
]
