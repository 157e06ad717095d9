"""Formation: list, info and update by process type or id, and the batch update.

Sizes are accepted in any case, by name or id, as top-level `size` (provider v5.2.10, Heroku
CLI) or `dyno_size {name|id}` (provider HEAD), and returned in Heroku's capitalisation. A
process type exists only once a release whose slug declares it is current: before that
Heroku answers 404 "Couldn't find that process type", and so does the sandbox. Eco and Basic
dynos run at most one per process type, as on Heroku.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, WholeNumber, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import embed_app, find_app, is_uuid
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import ApiError, invalid, json_response
from infra.sandbox.store import Record, Tx, public

SINGLE_DYNO_SIZES = frozenset({"Eco", "Basic"})


class DynoSize(Body):
    id: str | None = None
    name: str | None = None


class FormationUpdate(Body):
    quantity: WholeNumber | None = None
    size: str | None = None
    dyno_size: DynoSize | None = None


class BatchItem(FormationUpdate):
    type: str


class BatchUpdate(Body):
    updates: list[BatchItem]


def find_formation(tx: Tx, app: Record, identity: str) -> Record:
    formation = tx.get("formation", identity) if is_uuid(identity) else None
    if formation is None or formation["app"]["id"] != app["id"]:
        formation = tx.by_name("formation", identity, app["id"])
    if formation is None:
        raise ApiError(404, "not_found", f"Couldn't find that process type ({identity}).", resource="formation")
    return formation


def _size(update: FormationUpdate) -> str | None:
    wanted = update.dyno_size.name or update.dyno_size.id if update.dyno_size else update.size
    if wanted is None:
        return None
    size = offerings.dyno_size(wanted)
    if size is None:
        raise invalid(f"Invalid params: {wanted!r} is not a dyno size; sizes: {', '.join(offerings.DYNO_SIZES)}.")
    return size


def apply(tx: Tx, formation: Record, update: FormationUpdate) -> Record:
    """`formation` scaled and resized as `update` asks (422 for a negative or disallowed quantity)."""
    size = _size(update) or formation["size"]
    quantity = formation["quantity"] if update.quantity is None else update.quantity
    if quantity < 0:
        raise invalid(f"Invalid params: quantity must be at least 0 (got {quantity}).")
    if quantity > 1 and size in SINGLE_DYNO_SIZES:
        raise invalid(f"Cannot update to more than 1 {size} size dynos per process type.")
    formation.update(size=size, dyno_size=offerings.named("dyno-size", size), quantity=quantity, updated_at=tx.stamp)
    tx.put("formation", formation)
    return formation


def render(tx: Tx, formation: Record) -> Record:
    return public(embed_app(tx, formation))


async def list_formation(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        found = [render(tx, f) for f in tx.children("formation", app["id"])]
    return list_response(request, found, ("id", "type"))


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(render(tx, find_formation(tx, app, request.path_params["formation"])))


async def update(request: Request) -> Response:
    body = await read_body(request, FormationUpdate)
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        formation = find_formation(tx, app, request.path_params["formation"])
        return json_response(render(tx, apply(tx, formation, body)))


async def batch_update(request: Request) -> Response:
    body = await read_body(request, BatchUpdate)
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        targets = [(find_formation(tx, app, item.type), item) for item in body.updates]
        return json_response([render(tx, apply(tx, formation, item)) for formation, item in targets])


routes = [
    Route("/apps/{app}/formation", list_formation, methods=["GET"]),
    Route("/apps/{app}/formation", batch_update, methods=["PATCH"]),
    Route("/apps/{app}/formation/{formation}", info, methods=["GET"]),
    Route("/apps/{app}/formation/{formation}", update, methods=["PATCH"]),
]
