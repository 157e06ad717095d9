"""Heroku Teams: teams, their members, team apps, and who may do what on a team app.

* `POST /teams`, `GET /teams`, `GET /teams/{team}`: a team; its creator becomes its admin. `role`
  in a team's answer is the caller's role in it.
* `GET`/`PUT`/`POST`/`PATCH /teams/{team}/members`, `DELETE /teams/{team}/members/{email or id}`:
  members with a role (`admin`, `member`, `viewer`, as the request schema allows); `PUT` creates or updates.
* `POST /teams/apps` (`team`, `name`, `region`, `stack`, `locked`, `personal`), `GET
  /teams/apps/{app}`, `PATCH /teams/apps/{app}` (`locked`), `GET /teams/{team}/apps`: team apps,
  owned by the team (`owner` is the team's `<team>@herokumanager.com` identity).
* `GET`/`POST /teams/apps/{app}/collaborators`, `GET`/`PATCH`/`DELETE
  /teams/apps/{app}/collaborators/{email or id}`: who may use a team app, with permissions from
  `GET /teams/permissions` (`view`, `deploy`, `operate`, `manage`). The same people are listed by
  `/apps/{app}/collaborators`, with their team role.

Permissions are enforced where a promotion or a rollback needs them (`require_permission`): on
a team app, the caller must be a team admin or have the permission; personal apps keep the
single-owner rules of `routes.access`.
"""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, email_param, read_body
from infra.sandbox.context import Sandbox, sandbox_of
from infra.sandbox.platform_rules import account_of, app_ref, find, find_app, render_team_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import ApiError, invalid, json_response, not_found
from infra.sandbox.routes.apps import AppCreate, create_app_record
from infra.sandbox.store import Record, Tx, public

PERMISSIONS = {
    "view": "Can view the app's details, config vars and logs.",
    "deploy": "Can deploy code, manage releases and promote to the app.",
    "operate": "Can scale, restart and put the app in maintenance mode.",
    "manage": "Can manage the app's collaborators, add-ons, domains and settings.",
}
Role = Literal["admin", "member", "viewer"]  # the request schema's `team_role` (answers also know owner, collaborator)


def collaborator_user(email: str) -> dict[str, object]:
    """The `user` of a collaborator record, on personal and team apps alike."""
    return {"email": email, "federated": False, "id": offerings.fixed_id("user", email.lower())}


def _user(email: str) -> dict[str, object]:
    return {"email": email, "id": offerings.fixed_id("user", email.lower()), "name": None}


def find_team(tx: Tx, identity: str) -> Record:
    return find(tx, "team", identity, resource="team")


def team_role(tx: Tx, team: Record, email: str) -> str | None:
    member = next((m for m in tx.children("team_member", team["id"]) if m["email"].lower() == email.lower()), None)
    return None if member is None else str(member["role"])


def _render_team(tx: Tx, team: Record, caller: str) -> Record:
    return {**public(team), "role": team_role(tx, team, caller)}


# --- teams and members -----------------------------------------------------------------------


class TeamCreate(Body):
    name: str
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    country: str | None = None
    device_data: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    nonce: str | None = None
    postal_code: str | None = None
    state: str | None = None


def ensure_team(tx: Tx, name: str, admin: str) -> Record:
    """Team `name` with `admin` as its admin, made unless it exists; ids derived from the name (no seed used)."""
    existing = tx.by_name("team", name)
    if existing is not None:
        return existing
    team = _new_team(tx, name, offerings.fixed_id("team", name))
    tx.put("team", team)
    _put_member(tx, team, admin, "admin", federated=False, member_id=offerings.fixed_id("member", name))
    return team


def _new_team(tx: Tx, name: str, team_id: str) -> Record:
    return {
        "created_at": tx.stamp,
        "credit_card_collections": False,
        "default": False,
        "enterprise_account": None,
        "id": team_id,
        "identity_provider": None,
        "membership_limit": None,
        "name": name,
        "provisioned_licenses": False,
        "type": "team",
        "updated_at": tx.stamp,
    }


async def create_team(request: Request) -> Response:
    body = await read_body(request, TeamCreate)
    sandbox = sandbox_of(request)
    me = account_of(sandbox)["email"]
    with sandbox.tx() as tx:
        if tx.by_name("team", body.name) is not None:
            raise invalid(f"Name {body.name} is already taken.")
        team = _new_team(tx, body.name, tx.new_id())
        tx.put("team", team)
        _put_member(tx, team, me, "admin", federated=False)
        return json_response(_render_team(tx, team, me), status=201)


async def list_teams(request: Request) -> Response:
    sandbox = sandbox_of(request)
    me = account_of(sandbox)["email"]
    with sandbox.tx() as tx:
        teams = [_render_team(tx, t, me) for t in tx.all("team") if team_role(tx, t, me) is not None]
    return list_response(request, teams, ("id", "name"))


async def team_info(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        team = find_team(tx, request.path_params["team"])
        return json_response(_render_team(tx, team, account_of(sandbox)["email"]))


class MemberSet(Body):
    email: str
    role: Role
    federated: bool | None = None


def _put_member(
    tx: Tx, team: Record, email: str, role: str, *, federated: bool, member_id: str | None = None
) -> Record:
    existing = next((m for m in tx.children("team_member", team["id"]) if m["email"].lower() == email.lower()), None)
    member: Record = existing or {
        "created_at": tx.stamp,
        "email": email,
        "id": member_id or tx.new_id(),
        "identity_provider": None,
        "two_factor_authentication": False,
        "user": _user(email),
        "_team_id": team["id"],
    }
    member = {**member, "role": role, "federated": federated, "updated_at": tx.stamp}
    tx.put("team_member", member)
    return member


async def set_member(request: Request) -> Response:
    """PUT (create or update), POST (create) and PATCH (update) of a member."""
    body = await read_body(request, MemberSet)
    sandbox = sandbox_of(request)
    email_param(body.email, "email")
    with sandbox.tx() as tx:
        team = find_team(tx, request.path_params["team"])
        _require_admin(tx, team, account_of(sandbox)["email"])
        exists = team_role(tx, team, body.email) is not None
        if request.method == "POST" and exists:
            raise invalid(f"{body.email} is already a member of {team['name']}.")
        if request.method == "PATCH" and not exists:
            raise not_found("team member", body.email)
        member = _put_member(tx, team, body.email, body.role, federated=bool(body.federated))
        return json_response(public(member), status=200 if exists else 201)


async def list_members(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        team = find_team(tx, request.path_params["team"])
        members = [public(m) for m in tx.children("team_member", team["id"])]
    return list_response(request, members, ("email", "id"))


async def delete_member(request: Request) -> Response:
    sandbox = sandbox_of(request)
    identity = request.path_params["member"]
    with sandbox.tx() as tx:
        team = find_team(tx, request.path_params["team"])
        _require_admin(tx, team, account_of(sandbox)["email"])
        member = next((m for m in tx.children("team_member", team["id"]) if identity in (m["id"], m["email"])), None)
        if member is None:
            raise not_found("team member", identity)
        tx.delete("team_member", member["id"])
        for app in _team_apps(tx, team):  # leaving the team takes its app permissions with it
            for collaborator in tx.children("collaborator", app["id"]):
                if collaborator["user"]["email"].lower() == member["email"].lower():
                    tx.delete("collaborator", collaborator["id"])
        return json_response(public(member))


def _require_admin(tx: Tx, team: Record, email: str) -> None:
    if team_role(tx, team, email) != "admin":
        raise ApiError(403, "forbidden", f"You must be an admin of {team['name']} to do that.")


# --- team apps -------------------------------------------------------------------------------


class TeamAppCreate(AppCreate):
    team: str | None = None
    locked: bool | None = None
    personal: bool | None = None
    internal_routing: bool | None = None
    space: str | None = None


def _team_apps(tx: Tx, team: Record) -> list[Record]:
    return [a for a in tx.all("app") if (a.get("team") or {}).get("id") == team["id"]]


async def create_team_app(request: Request) -> Response:
    body = await read_body(request, TeamAppCreate)
    sandbox = sandbox_of(request)
    if body.space:
        raise invalid("Private Spaces are not emulated; create the app without `space`.")
    with sandbox.tx() as tx:
        plain = AppCreate.model_validate(body.model_dump(include={"name", "region", "stack"}, exclude_none=True))
        if body.personal or not body.team:
            app = create_app_record(sandbox, tx, plain)
            return json_response(render_team_app(app), status=201)
        team = find_team(tx, body.team)
        if team_role(tx, team, account_of(sandbox)["email"]) not in ("admin", "member"):
            raise ApiError(403, "forbidden", f"You must be a member of {team['name']} to create its apps.")
        app = create_app_record(sandbox, tx, plain)
        owned = {"id": team["id"], "name": team["name"]}
        app = {
            **app,
            "team": owned,
            "organization": owned,
            "owner": {"email": f"{team['name']}@herokumanager.com", "id": team["id"]},
            "_locked": bool(body.locked),
        }
        tx.put("app", app)
        return json_response(render_team_app(app), status=201)


def find_team_app(tx: Tx, identity: str) -> Record:
    app = find_app(tx, identity)
    if not app.get("team"):
        raise not_found("app", identity)  # a personal app has no team-app face
    return app


async def team_app_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(render_team_app(find_team_app(tx, request.path_params["app"])))


class TeamAppUpdate(Body):
    locked: bool | None = None
    owner: str | None = None


async def update_team_app(request: Request) -> Response:
    body = await read_body(request, TeamAppUpdate)
    sandbox = sandbox_of(request)
    if body.owner is not None:
        raise invalid("Transferring apps between teams and accounts is not emulated.")
    with sandbox.tx() as tx:
        app = find_team_app(tx, request.path_params["app"])
        require_permission(sandbox, tx, app, "manage")
        if body.locked is not None:
            app = {**app, "_locked": body.locked, "updated_at": tx.stamp}
            tx.put("app", app)
        return json_response(render_team_app(app))


async def list_team_apps(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        team = find_team(tx, request.path_params["team"])
        apps = [render_team_app(a) for a in _team_apps(tx, team)]
    return list_response(request, apps, ("id", "name"))


# --- who may use a team app ------------------------------------------------------------------


def _permission_objects(names: list[str]) -> list[dict[str, str]]:
    return [{"name": n, "description": PERMISSIONS[n]} for n in names]


def render_collaborator(tx: Tx, app: Record, record: Record) -> Record:
    """A team app's collaborator, as `/apps/{app}/collaborators` and `/teams/apps/.../collaborators` show it."""
    team = tx.get("team", app["team"]["id"])
    role = team_role(tx, team, record["user"]["email"]) if team else None
    return {
        **public(record),
        "app": app_ref(app),
        "permissions": _permission_objects(list(record.get("_permissions", []))),
        "role": role or "collaborator",
    }


class TeamCollaboratorCreate(Body):
    user: str
    permissions: list[str] | None = None
    silent: bool | None = None


class TeamCollaboratorUpdate(Body):
    permissions: list[str]


def _checked_permissions(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in PERMISSIONS]
    if unknown:
        raise invalid(f"Invalid params: unknown permission {unknown[0]!r} (one of {', '.join(PERMISSIONS)}).")
    return sorted(set(names) | {"view"}, key=list(PERMISSIONS).index)  # view is always granted


def team_collaborators(tx: Tx, app: Record) -> list[Record]:
    return [render_collaborator(tx, app, c) for c in tx.children("collaborator", app["id"])]


def _find_collaborator(tx: Tx, app: Record, identity: str) -> Record:
    for record in tx.children("collaborator", app["id"]):
        if identity in (record["id"], record["user"]["email"], record["user"]["id"]):
            return record
    raise not_found("collaborator", identity)


async def create_team_collaborator(request: Request) -> Response:
    body = await read_body(request, TeamCollaboratorCreate)
    sandbox = sandbox_of(request)
    email = email_param(body.user, "user")
    with sandbox.tx() as tx:
        app = find_team_app(tx, request.path_params["app"])
        require_permission(sandbox, tx, app, "manage")
        if any(c["user"]["email"].lower() == email.lower() for c in tx.children("collaborator", app["id"])):
            raise invalid(f"{email} is already a collaborator on app {app['name']}.")
        record: Record = {
            "app": app_ref(app),
            "created_at": tx.stamp,
            "id": tx.new_id(),
            "updated_at": tx.stamp,
            "user": collaborator_user(email),
            "_permissions": _checked_permissions(body.permissions or []),
        }
        tx.put("collaborator", record)
        return json_response(render_collaborator(tx, app, record), status=201)


async def list_team_collaborators(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        found = team_collaborators(tx, find_team_app(tx, request.path_params["app"]))
    return list_response(request, found, ("id",))


async def team_collaborator_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_team_app(tx, request.path_params["app"])
        return json_response(render_collaborator(tx, app, _find_collaborator(tx, app, request.path_params["who"])))


async def update_team_collaborator(request: Request) -> Response:
    body = await read_body(request, TeamCollaboratorUpdate)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_team_app(tx, request.path_params["app"])
        require_permission(sandbox, tx, app, "manage")
        record = _find_collaborator(tx, app, request.path_params["who"])
        record = {**record, "_permissions": _checked_permissions(body.permissions), "updated_at": tx.stamp}
        tx.put("collaborator", record)
        return json_response(render_collaborator(tx, app, record))


async def delete_team_collaborator(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_team_app(tx, request.path_params["app"])
        require_permission(sandbox, tx, app, "manage")
        record = _find_collaborator(tx, app, request.path_params["who"])
        tx.delete("collaborator", record["id"])
        return json_response(render_collaborator(tx, app, record))


# Team features the Heroku CLI asks about: fine-grained app permissions are on (what `access:add
# --permissions` needs), invitations off (members are added directly).
TEAM_FEATURES = (
    ("org-access-controls", "Fine-grained app permissions", True),
    ("team-invite-acceptance", "Invited members accept before joining", False),
)


def _team_features(team: Record) -> list[Record]:
    return [
        {
            "created_at": team["created_at"],
            "description": description,
            "display_name": description,
            "doc_url": "https://devcenter.heroku.com/articles/app-permissions",
            "enabled": enabled,
            "feedback_email": "",
            "id": offerings.fixed_id("team-feature", f"{team['id']}:{name}"),
            "name": name,
            "state": "general",
            "updated_at": team["created_at"],
        }
        for name, description, enabled in TEAM_FEATURES
    ]


async def list_team_features(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        team = find_team(tx, request.path_params["team"])
    return list_response(request, _team_features(team), ("id", "name"))


async def team_feature_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        team = find_team(tx, request.path_params["team"])
    identity = request.path_params["feature"]
    for feature in _team_features(team):
        if identity in (feature["id"], feature["name"]):
            return json_response(feature)
    raise not_found("feature", identity)


async def list_permissions(request: Request) -> Response:
    return list_response(request, _permission_objects(list(PERMISSIONS)), ("name",))


def permissions_of(tx: Tx, app: Record, email: str) -> frozenset[str]:
    """What `email` may do on a team app: everything for a team admin, else its collaborator permissions."""
    team = tx.get("team", app["team"]["id"])
    if team is not None and team_role(tx, team, email) == "admin":
        return frozenset(PERMISSIONS)
    record = next(
        (c for c in tx.children("collaborator", app["id"]) if c["user"]["email"].lower() == email.lower()), None
    )
    return frozenset(record.get("_permissions", [])) if record else frozenset()


def require_permission(sandbox: Sandbox, tx: Tx, app: Record, permission: str) -> None:
    """403 unless the caller may `permission` on `app` (team apps only; a personal app is its owner's)."""
    if not app.get("team"):
        return
    me = account_of(sandbox)["email"]
    if permission not in permissions_of(tx, app, me):
        raise ApiError(403, "forbidden", f"You do not have the {permission} permission on {app['name']}.")


routes = [
    Route("/teams", list_teams, methods=["GET"]),
    Route("/teams", create_team, methods=["POST"]),
    Route("/teams/permissions", list_permissions, methods=["GET"]),
    Route("/teams/apps", create_team_app, methods=["POST"]),
    Route("/teams/apps/{app}", team_app_info, methods=["GET"]),
    Route("/teams/apps/{app}", update_team_app, methods=["PATCH"]),
    Route("/teams/apps/{app}/collaborators", list_team_collaborators, methods=["GET"]),
    Route("/teams/apps/{app}/collaborators", create_team_collaborator, methods=["POST"]),
    Route("/teams/apps/{app}/collaborators/{who}", team_collaborator_info, methods=["GET"]),
    Route("/teams/apps/{app}/collaborators/{who}", update_team_collaborator, methods=["PATCH"]),
    Route("/teams/apps/{app}/collaborators/{who}", delete_team_collaborator, methods=["DELETE"]),
    Route("/teams/{team}", team_info, methods=["GET"]),
    Route("/teams/{team}/apps", list_team_apps, methods=["GET"]),
    Route("/teams/{team}/features", list_team_features, methods=["GET"]),
    Route("/teams/{team}/features/{feature}", team_feature_info, methods=["GET"]),
    Route("/teams/{team}/members", list_members, methods=["GET"]),
    Route("/teams/{team}/members", set_member, methods=["PUT", "POST", "PATCH"]),
    Route("/teams/{team}/members/{member}", delete_member, methods=["DELETE"]),
]
