"""Add-ons (global and per app) and add-on attachments.

`GET /addons/{id-or-name}` works globally (the provider reads add-ons that way); `PATCH`
tolerates `"plan": ""` (the provider sends it when only the name changed) as "keep the plan".
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, Identity, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import find, find_app, is_uuid
from infra.sandbox.provisioning import (
    attach,
    change_plan,
    check_addon_name,
    create_addon,
    destroy_addon,
    detach,
    render_addon,
    render_attachment,
)
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.store import Record, Tx

ADDON_NAME = re.compile(r"^[a-zA-Z][A-Za-z0-9_-]+$")
ADDON, ATTACHMENT = "add_on", "add_on attachment"  # Heroku's resource names in a 404


class AttachmentName(Body):
    name: str | None = None


class AddonCreate(Body):
    plan: Identity
    confirm: str | None = None
    config: dict[str, str] | None = None
    name: str | None = None
    attachment: AttachmentName | None = None


class AddonUpdate(Body):
    # The schema requires `plan`, but Heroku takes a rename alone: `heroku addons:rename` sends only `name`.
    plan: Identity | None = None
    name: str | None = None


class AttachmentCreate(Body):
    nullable = frozenset({"namespace"})

    addon: Identity
    app: Identity
    confirm: str | None = None
    name: str | None = None
    namespace: str | None = None


def _plan(identity: str) -> tuple[offerings.AddonService, str]:
    plan = offerings.resolve_plan(identity)
    if plan is None:
        raise not_found("plan", identity)
    return plan


def _check_name(name: str | None) -> None:
    if name is not None and not ADDON_NAME.match(name):
        raise invalid(f"Invalid params: name {name!r} must start with a letter and use letters, digits, - and _.")


def find_addon(tx: Tx, identity: str, app: Record | None = None) -> Record:
    addon = find(tx, "addon", identity, resource=ADDON)
    if app is not None and addon["app"]["id"] != app["id"]:
        raise not_found(ADDON, identity)
    return addon


async def list_all(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        addons = [render_addon(tx, a) for a in tx.all("addon")]
    return list_response(request, addons)


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(render_addon(tx, find_addon(tx, request.path_params["addon"])))


async def create(request: Request) -> Response:
    body = await read_body(request, AddonCreate)
    _check_name(body.name)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if body.confirm is not None and body.confirm not in (app["name"], app["id"]):
            raise invalid(f"Confirmation of {body.confirm!r} does not match the app name {app['name']!r}.")
        addon = create_addon(
            sandbox,
            tx,
            app,
            _plan(body.plan),
            name=body.name,
            attachment_name=body.attachment.name if body.attachment else None,
            config=body.config or {},
        )
        return json_response(render_addon(tx, addon), status=201)


async def list_for_app(request: Request) -> Response:
    """The add-ons the app owns, then those of other apps attached to it (`heroku addons -a` shows both)."""
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        found = {a["id"]: a for a in tx.children("addon", app["id"])}
        for attachment in tx.children("attachment", app["id"]):
            addon = tx.get("addon", attachment["addon"]["id"])
            if addon is not None:
                found.setdefault(addon["id"], addon)
        addons = [render_addon(tx, a) for a in found.values()]
    return list_response(request, addons)


async def info_for_app(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(render_addon(tx, find_addon(tx, request.path_params["addon"], app)))


async def update(request: Request) -> Response:
    body = await read_body(request, AddonUpdate)
    if body.plan is None and body.name is None:
        raise invalid("Invalid params: plan: Field required.")
    _check_name(body.name)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        addon = find_addon(tx, request.path_params["addon"], app)
        if body.name is not None and body.name != addon["name"]:
            check_addon_name(tx, body.name, addon["id"])
            addon["name"] = body.name
            addon["updated_at"] = tx.stamp
            tx.put("addon", addon)
        if body.plan:
            change_plan(sandbox, tx, addon, _plan(body.plan))
        return json_response(render_addon(tx, find_addon(tx, addon["id"])))


async def destroy(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(destroy_addon(sandbox, tx, find_addon(tx, request.path_params["addon"], app)))


# --- attachments --------------------------------------------------------------------------------


async def attach_addon(request: Request) -> Response:
    body = await read_body(request, AttachmentCreate)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, body.app)
        addon = find_addon(tx, body.addon)
        attachment = attach(sandbox, tx, addon, app, body.name, body.namespace)
        return json_response(render_attachment(tx, attachment), status=201)


async def list_attachments(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        attachments = [render_attachment(tx, a) for a in tx.all("attachment")]
    return list_response(request, attachments)


def _attachment_by_id(tx: Tx, identity: str) -> Record:
    # Outside an app, attachments are addressed by id only (a name is unique per app, not globally).
    attachment = tx.get("attachment", identity) if is_uuid(identity) else None
    if attachment is None:
        raise not_found(ATTACHMENT, identity)
    return attachment


async def attachment_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(render_attachment(tx, _attachment_by_id(tx, request.path_params["attachment"])))


async def detach_addon(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        attachment = _attachment_by_id(tx, request.path_params["attachment"])
        rendered = render_attachment(tx, attachment)
        detach(sandbox, tx, attachment)
        return json_response(rendered)


async def attachments_of_addon(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        addon = find_addon(tx, request.path_params["addon"])
        found = [render_attachment(tx, a) for a in tx.all("attachment") if a["addon"]["id"] == addon["id"]]
    return list_response(request, found)


async def attachments_of_app(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        found = [render_attachment(tx, a) for a in tx.children("attachment", app["id"])]
    return list_response(request, found)


async def attachment_of_app(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        identity = request.path_params["attachment"]
        attachment = find(tx, "attachment", identity, app["id"], resource=ATTACHMENT)
        return json_response(render_attachment(tx, attachment))


# --- resolution (`heroku addons:info NAME`, `addons:attach`, `addons:destroy`) ---------------------


class AddonResolve(Body):
    nullable = frozenset({"app", "addon_service"})

    addon: str
    app: Identity | None = None
    addon_service: Identity | None = None


class AttachmentResolve(Body):
    nullable = frozenset({"app", "addon_service"})

    addon_attachment: str
    app: Identity | None = None
    addon_service: Identity | None = None


def _service_matches(tx: Tx, addon: Record, service: str | None) -> bool:
    if service is None:
        return True
    return service in (addon["addon_service"]["name"], addon["addon_service"]["id"])


async def resolve_addons(request: Request) -> Response:
    """The add-ons `addon` names: an add-on's name or id, `app::attachment`, or, with `app`, an attachment of it."""
    body = await read_body(request, AddonResolve)
    with sandbox_of(request).tx() as tx:
        found = [a for a in _addons_named(tx, body.addon, body.app) if _service_matches(tx, a, body.addon_service)]
        if not found:
            raise not_found(ADDON, body.addon)
        return json_response([render_addon(tx, a) for a in found])


def _addons_named(tx: Tx, identity: str, app_identity: str | None) -> list[Record]:
    app_part, sep, attachment_name = identity.partition("::")
    if sep:
        app_identity, identity = app_part, attachment_name
    if app_identity is not None:
        app = find_app(tx, app_identity)
        attachment = tx.by_name("attachment", identity, app["id"])
        if attachment is not None:
            return [a for a in [tx.get("addon", attachment["addon"]["id"])] if a is not None]
        if sep:
            return []
    addon = tx.get("addon", identity) if is_uuid(identity) else tx.by_name("addon", identity)
    return [] if addon is None else [addon]


async def resolve_attachments(request: Request) -> Response:
    """The attachments `addon_attachment` names: an id, `app::name`, or, with `app`, a name on that app."""
    body = await read_body(request, AttachmentResolve)
    with sandbox_of(request).tx() as tx:
        app_part, sep, name = body.addon_attachment.partition("::")
        app_identity = app_part if sep else body.app
        identity = name if sep else body.addon_attachment
        found: list[Record] = []
        if is_uuid(identity) and tx.get("attachment", identity) is not None:
            found = [tx.get("attachment", identity) or {}]
        elif app_identity is not None:
            app = find_app(tx, app_identity)
            found = [a for a in [tx.by_name("attachment", identity, app["id"])] if a is not None]
        if body.addon_service is not None:
            found = [
                a for a in found if _service_matches(tx, tx.get("addon", a["addon"]["id"]) or {}, body.addon_service)
            ]
        if not found:
            raise not_found(ATTACHMENT, body.addon_attachment)
        return json_response([render_attachment(tx, a) for a in found])


routes = [
    Route("/actions/addons/resolve", resolve_addons, methods=["POST"]),
    Route("/actions/addon-attachments/resolve", resolve_attachments, methods=["POST"]),
    Route("/addons", list_all, methods=["GET"]),
    Route("/addons/{addon}", info, methods=["GET"]),
    Route("/apps/{app}/addons", create, methods=["POST"]),
    Route("/apps/{app}/addons", list_for_app, methods=["GET"]),
    Route("/apps/{app}/addons/{addon}", info_for_app, methods=["GET"]),
    Route("/apps/{app}/addons/{addon}", update, methods=["PATCH"]),
    Route("/apps/{app}/addons/{addon}", destroy, methods=["DELETE"]),
    Route("/addon-attachments", attach_addon, methods=["POST"]),
    Route("/addon-attachments", list_attachments, methods=["GET"]),
    Route("/addon-attachments/{attachment}", attachment_info, methods=["GET"]),
    Route("/addon-attachments/{attachment}", detach_addon, methods=["DELETE"]),
    Route("/addons/{addon}/addon-attachments", attachments_of_addon, methods=["GET"]),
    Route("/apps/{app}/addon-attachments", attachments_of_app, methods=["GET"]),
    Route("/apps/{app}/addon-attachments/{attachment}", attachment_of_app, methods=["GET"]),
]
