"""Who may use an app: `/apps/{app}/collaborators` (`heroku access`, `access:add`, `access:remove`).

A personal app lists its owner (role `owner`, not stored: it is the account) and the collaborators
added to it (role `collaborator`), each addressable by id or email. Adding the owner, or someone
twice, is refused as Heroku refuses it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, email_param, read_body
from infra.sandbox.context import Sandbox, sandbox_of
from infra.sandbox.platform_rules import account_of, app_ref, find_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.routes import teams
from infra.sandbox.store import Record, Tx, public


class CollaboratorCreate(Body):
    user: str
    silent: bool | None = None


def _owner(sandbox: Sandbox, app: Record) -> Record:
    me = account_of(sandbox)
    return {
        "app": app_ref(app),
        "created_at": app["created_at"],
        "id": offerings.fixed_id("collaborator", f"{app['id']}:{me['email']}"),
        "permissions": [],
        "role": "owner",
        "updated_at": app["created_at"],
        "user": teams.collaborator_user(me["email"]),
    }


def collaborators(sandbox: Sandbox, tx: Tx, app: Record) -> list[Record]:
    """The app's owner, then everyone added to it, as Heroku lists them (a team app: its collaborators)."""
    if app.get("team"):
        return teams.team_collaborators(tx, app)
    return [_owner(sandbox, app), *(public(c) for c in tx.children("collaborator", app["id"]))]


def _find(sandbox: Sandbox, tx: Tx, app: Record, identity: str) -> Record:
    for collaborator in collaborators(sandbox, tx, app):
        if identity in (collaborator["id"], collaborator["user"]["email"], collaborator["user"]["id"]):
            return collaborator
    raise not_found("collaborator", identity)


async def list_collaborators(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        found = collaborators(sandbox, tx, find_app(tx, request.path_params["app"]))
    return list_response(request, found, ("id",))


async def info(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(_find(sandbox, tx, app, request.path_params["collaborator"]))


async def create(request: Request) -> Response:
    body = await read_body(request, CollaboratorCreate)
    sandbox = sandbox_of(request)
    email = email_param(body.user, "user")
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if app.get("team"):
            raise invalid(
                f"{app['name']} is a team app: add collaborators with POST /teams/apps/{{app}}/collaborators."
            )
        if any(c["user"]["email"].lower() == email.lower() for c in collaborators(sandbox, tx, app)):
            raise invalid(f"{email} is already a collaborator on {app['name']}.")
        record: Record = {
            "app": app_ref(app),
            "created_at": tx.stamp,
            "id": tx.new_id(),
            "permissions": [],
            "role": "collaborator",
            "updated_at": tx.stamp,
            "user": teams.collaborator_user(email),
        }
        tx.put("collaborator", record)
        return json_response(public(record), status=201)


async def delete(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        found = _find(sandbox, tx, app, request.path_params["collaborator"])
        if app.get("team"):
            teams.require_permission(sandbox, tx, app, "manage")
        if found["role"] == "owner":
            raise invalid("The owner of an app cannot be removed from it; transfer the app first.")
        tx.delete("collaborator", found["id"])
        return json_response(found)


routes = [
    Route("/apps/{app}/collaborators", list_collaborators, methods=["GET"]),
    Route("/apps/{app}/collaborators", create, methods=["POST"]),
    Route("/apps/{app}/collaborators/{collaborator}", info, methods=["GET"]),
    Route("/apps/{app}/collaborators/{collaborator}", delete, methods=["DELETE"]),
]
