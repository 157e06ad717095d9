"""Dynos (`heroku ps`): what runs, derived from the formation and the current release, never stored.

Each process type scaled to N gets dynos `<type>.1` ... `<type>.N`, `up`, running the current
release's slug at the formation's size and command; an app without a released slug runs nothing.
Ids are stable for an app and dyno name, so a client can read one back.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import catalog
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform import app_ref, current_release, find_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import json_response, not_found
from infra.sandbox.store import Record, Tx


def dynos(tx: Tx, app: Record) -> list[Record]:
    release = current_release(tx, app)
    if release is None or not release["slug"]:
        return []
    started = app.get("released_at") or release["created_at"]
    found: list[Record] = []
    for formation in sorted(tx.children("formation", app["id"]), key=lambda f: str(f["type"])):
        for index in range(1, int(formation["quantity"]) + 1):
            name = f"{formation['type']}.{index}"
            found.append(
                {
                    "attach_url": None,
                    "command": formation["command"],
                    "created_at": started,
                    "id": catalog.fixed_id("dyno", f"{app['id']}:{name}"),
                    "name": name,
                    "release": {"id": release["id"], "version": release["version"]},
                    "app": app_ref(app),
                    "size": formation["size"],
                    "state": "up",
                    "type": formation["type"],
                    "updated_at": started,
                }
            )
    return found


async def list_dynos(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        found = dynos(tx, find_app(tx, request.path_params["app"]))
    return list_response(request, found, ("id", "name"))


async def info(request: Request) -> Response:
    identity = request.path_params["dyno"]
    with sandbox_of(request).tx() as tx:
        for dyno in dynos(tx, find_app(tx, request.path_params["app"])):
            if identity in (dyno["id"], dyno["name"]):
                return json_response(dyno)
    raise not_found("dyno", identity)


routes = [
    Route("/apps/{app}/dynos", list_dynos, methods=["GET"]),
    Route("/apps/{app}/dynos/{dyno}", info, methods=["GET"]),
]
