"""Apps and ACM: `/apps`, `/apps/{app}`, `/apps/{app}/acm`."""

from __future__ import annotations

import re

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, Identity, read_body
from infra.sandbox.context import Sandbox, sandbox_of
from infra.sandbox.platform_rules import account_of, find_app, new_release, render_app, render_team_app
from infra.sandbox.profiles import apply_profile
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response
from infra.sandbox.routes.domains import start_acm, stop_acm
from infra.sandbox.store import Record, Tx
from infra.sandbox.teardown import delete_app

APP_NAME = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
_ADJECTIVES = ("calm", "brave", "lively", "quiet", "sunny", "swift", "gentle", "bold", "polar", "mellow")
_NOUNS = ("harbor", "meadow", "falls", "ridge", "canyon", "island", "forest", "river", "summit", "tundra")


class AppCreate(Body):
    name: str | None = None
    region: Identity | None = None
    stack: Identity | None = None
    feature_flags: list[str] | None = None


class AppUpdate(Body):
    name: str | None = None
    build_stack: Identity | None = None
    maintenance: bool | None = None


def _check_name(tx: Tx, name: str, app_id: str | None = None) -> None:
    if not APP_NAME.match(name):
        raise invalid(
            "Name must start with a letter, end with a letter or digit and can only contain lowercase letters, "
            "digits, and dashes (3 to 30 characters)."
        )
    taken = tx.by_name("app", name)
    if taken is not None and taken["id"] != app_id:
        raise invalid("Name is already taken")


def _catalogue_entry(kind: str, options: tuple[str, ...], identity: str) -> str:
    for name in options:
        if identity in (name, offerings.fixed_id(kind, name)):
            return name
    raise invalid(f"Couldn't find that {kind} ({identity}); available: {', '.join(options)}.")


def _generated_name(tx: Tx) -> str:
    while True:
        number = int(tx.new_hex(8), 16) % 100000
        name = f"{_ADJECTIVES[number % 10]}-{_NOUNS[(number // 10) % 10]}-{number:05d}"
        if tx.by_name("app", name) is None:
            return name


def create_app_record(sandbox: Sandbox, tx: Tx, body: AppCreate) -> Record:
    """A new personal app with its first two releases, as Heroku creates one (research §5.2-3)."""
    if body.name is not None:
        _check_name(tx, body.name)
    region = _catalogue_entry("region", offerings.REGIONS, body.region or offerings.DEFAULT_REGION)
    stack = _catalogue_entry("stack", offerings.STACKS, body.stack or offerings.DEFAULT_STACK)
    features = {}
    for flag in body.feature_flags or ():
        if flag not in {f.name for f in offerings.FEATURES}:
            raise invalid(f"Couldn't find that feature ({flag}).")
        features[flag] = True
    app: Record = {
        "acm": False,
        "archived_at": None,
        "buildpack_provided_description": None,
        "build_stack": offerings.named("stack", stack),
        "created_at": tx.stamp,
        "generation": offerings.named("generation", "cedar"),
        "id": tx.new_id(),
        "internal_routing": None,
        "maintenance": False,
        "name": body.name or _generated_name(tx),
        "organization": None,
        "owner": account_of(sandbox),
        "region": offerings.named("region", region),
        "released_at": None,
        "repo_size": None,
        "slug_size": None,
        "space": None,
        "stack": offerings.named("stack", stack),
        "team": None,
        "updated_at": tx.stamp,
        "_hex": tx.new_hex(12),
        "_domain_id": tx.new_id(),
        "_config": {},
        "_buildpacks": [],
        "_features": features,
        "_versions": 0,
    }
    apply_profile(tx, app)  # a project's sandbox.yaml may say how this app behaves
    tx.put("app", app)
    new_release(sandbox, tx, app, "Initial release", immediate=True)
    new_release(sandbox, tx, app, "Enable Logplex", immediate=True)
    return tx.get("app", app["id"]) or app


async def create(request: Request) -> Response:
    body = await read_body(request, AppCreate)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        return json_response(render_app(create_app_record(sandbox, tx, body)), status=201)


async def list_apps(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        apps = [render_app(app) for app in tx.all("app")]
    return list_response(request, apps, ("id", "name", "updated_at"))


class FilterIn(Body):
    id: list[str]


class AppFilter(Body):
    in_: FilterIn = Field(alias="in")


async def filter_apps(request: Request) -> Response:
    """`POST /filters/apps {"in": {"id": [...]}}`: the apps with those ids, in team-app shape (unknown ids left out)."""
    body = await read_body(request, AppFilter)
    with sandbox_of(request).tx() as tx:
        found = [tx.get("app", identity) for identity in body.in_.id]
        apps = [render_team_app(app) for app in found if app is not None]
    return list_response(request, apps, ("id", "name", "updated_at"))


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(render_app(find_app(tx, request.path_params["app"])))


async def update(request: Request) -> Response:
    body = await read_body(request, AppUpdate)
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if body.name is not None and body.name != app["name"]:
            _check_name(tx, body.name, app["id"])
            app["name"] = body.name
        if body.build_stack is not None:
            app["build_stack"] = offerings.named("stack", _catalogue_entry("stack", offerings.STACKS, body.build_stack))
        if body.maintenance is not None:
            app["maintenance"] = body.maintenance
        app["updated_at"] = tx.stamp
        tx.put("app", app)
        return json_response(render_app(app))


async def destroy(request: Request) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        delete_app(sandbox, tx, app)
        return json_response(render_app(app))


def _set_acm(request: Request, enabled: bool | None) -> Response:
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if enabled is not None and app["acm"] != enabled:
            app["acm"] = enabled
            app["updated_at"] = tx.stamp
            tx.put("app", app)
            for domain in tx.children("domain", app["id"]):
                if domain["kind"] == "custom":
                    if enabled:
                        start_acm(sandbox, tx, domain)
                    else:
                        stop_acm(tx, domain)
        return json_response(render_app(tx.get("app", app["id"]) or app))


async def acm_enable(request: Request) -> Response:
    return _set_acm(request, True)


async def acm_disable(request: Request) -> Response:
    return _set_acm(request, False)


async def acm_refresh(request: Request) -> Response:
    return _set_acm(request, None)


routes = [
    Route("/apps", create, methods=["POST"]),
    Route("/apps", list_apps, methods=["GET"]),
    Route("/filters/apps", filter_apps, methods=["POST"]),
    Route("/apps/{app}", info, methods=["GET"]),
    Route("/apps/{app}", update, methods=["PATCH"]),
    Route("/apps/{app}", destroy, methods=["DELETE"]),
    Route("/apps/{app}/acm", acm_enable, methods=["POST"]),
    Route("/apps/{app}/acm", acm_disable, methods=["DELETE"]),
    Route("/apps/{app}/acm", acm_refresh, methods=["PATCH"]),
]
