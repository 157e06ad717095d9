"""Dynos (`heroku ps`): what runs, derived from the formation and the current release, never stored.

Each process type scaled to N gets dynos `<type>.1` ... `<type>.N`, `up`, running the current
release's slug at the formation's size and command; an app without a released slug runs nothing.
Ids are stable for an app and dyno name, so a client can read one back.

Restarts (`heroku ps:restart`: all, one process type, one dyno) and stops (`ps:stop`) answer 202
`{}` and start the dynos afresh (`created_at` is the restart time). A stopped dyno of a scaled
process type is started again by Heroku, so here a stop is a restart; only scaling removes dynos.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import app_ref, current_release, find_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import json_response, not_found
from infra.sandbox.store import Record, Tx


def dynos(tx: Tx, app: Record) -> list[Record]:
    release = current_release(tx, app)
    if release is None or not release["slug"]:
        return []
    released = app.get("released_at") or release["created_at"]
    restarts: dict[str, str] = app.get("_restarts", {})
    found: list[Record] = []
    for formation in sorted(tx.children("formation", app["id"]), key=lambda f: str(f["type"])):
        for index in range(1, int(formation["quantity"]) + 1):
            name = f"{formation['type']}.{index}"
            # ISO-8601 stamps in one format sort as times: the latest start wins.
            started = max(released, restarts.get("", ""), restarts.get(formation["type"], ""), restarts.get(name, ""))
            found.append(
                {
                    "attach_url": None,
                    "command": formation["command"],
                    "created_at": started,
                    "id": offerings.fixed_id("dyno", f"{app['id']}:{name}"),
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


def _restart(request: Request, scope: str) -> Response:
    """Start afresh every dyno `scope` names ("" all, a process type, or a dyno name)."""
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        running = dynos(tx, app)
        if scope and not any(scope in (d["type"], d["name"], d["id"]) for d in running):
            raise not_found("dyno", scope)
        named = next((d["name"] for d in running if d["id"] == scope), scope)
        app["_restarts"] = {**app.get("_restarts", {}), named: tx.stamp}
        tx.put("app", app)
    return json_response({}, status=202)


async def restart_all(request: Request) -> Response:
    return _restart(request, "")


async def restart_dyno(request: Request) -> Response:
    return _restart(request, request.path_params["dyno"])


async def restart_formation(request: Request) -> Response:
    return _restart(request, request.path_params["type"])


routes = [
    Route("/apps/{app}/dynos", list_dynos, methods=["GET"]),
    Route("/apps/{app}/dynos", restart_all, methods=["DELETE"]),
    Route("/apps/{app}/dynos/{dyno}", info, methods=["GET"]),
    Route("/apps/{app}/dynos/{dyno}", restart_dyno, methods=["DELETE"]),
    Route("/apps/{app}/dynos/{dyno}/actions/stop", restart_dyno, methods=["POST"]),
    Route("/apps/{app}/formations/{type}", restart_formation, methods=["DELETE"]),
    Route("/apps/{app}/formations/{type}/actions/stop", restart_formation, methods=["POST"]),
]
