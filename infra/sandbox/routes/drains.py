"""Log drains: add by URL, read and remove by id, URL or token (`d.<uuid>`), list per app or per add-on.

The schema names the URL as a drain's identity, but the provider addresses drains by id and
the real API also takes the token, so all three work here. Drains an add-on owns (Papertrail's)
are listed with the app but only go away with the add-on.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import app_ref, embed_app, find_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.routes.addons import find_addon
from infra.sandbox.store import Record, Tx, public

SCHEMES = ("syslog://", "syslog+tls://", "https://", "http://")


class DrainCreate(Body):
    url: str


def find_drain(tx: Tx, app: Record, identity: str) -> Record:
    wanted = unquote(identity)
    for drain in tx.children("drain", app["id"]):
        if wanted in (drain["id"], drain["url"], drain["token"]):
            return drain
    raise not_found("log-drain", wanted)


def render(tx: Tx, drain: Record) -> Record:
    return public(embed_app(tx, drain))


async def create(request: Request) -> Response:
    body = await read_body(request, DrainCreate)
    if not body.url.startswith(SCHEMES) or len(body.url) <= len("http://"):
        raise invalid(f"Invalid params: url must be a syslog://, syslog+tls:// or https:// URL (got {body.url!r}).")
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if any(d["url"] == body.url for d in tx.children("drain", app["id"])):
            raise invalid("Url has already been taken")
        drain: Record = {
            "addon": None,
            "app": app_ref(app),
            "created_at": tx.stamp,
            "id": tx.new_id(),
            "token": f"d.{tx.new_id()}",
            "updated_at": tx.stamp,
            "url": body.url,
            "_app_id": app["id"],
        }
        tx.put("drain", drain)
        return json_response(render(tx, drain), status=201)


async def list_drains(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        drains = [render(tx, d) for d in tx.children("drain", app["id"])]
    return list_response(request, drains, ("id", "url"))


async def list_for_addon(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        addon = find_addon(tx, request.path_params["addon"])
        drains = [render(tx, d) for d in tx.all("drain") if d["addon"] and d["addon"]["id"] == addon["id"]]
    return list_response(request, drains, ("id", "url"))


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(render(tx, find_drain(tx, app, request.path_params["drain"])))


async def destroy(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        drain = find_drain(tx, app, request.path_params["drain"])
        if drain["addon"] is not None:
            raise invalid(f"This drain belongs to the add-on {drain['addon']['name']}; remove the add-on instead.")
        tx.delete("drain", drain["id"])
        return json_response(render(tx, drain))


routes = [
    Route("/apps/{app}/log-drains", create, methods=["POST"]),
    Route("/apps/{app}/log-drains", list_drains, methods=["GET"]),
    Route("/apps/{app}/log-drains/{drain:path}", info, methods=["GET"]),
    Route("/apps/{app}/log-drains/{drain:path}", destroy, methods=["DELETE"]),
    Route("/addons/{addon}/log-drains", list_for_addon, methods=["GET"]),
]
