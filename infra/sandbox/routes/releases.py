"""Releases: list (sortable by `version`), info by id or version, create from a slug, rollback.

Rollback is `POST /apps/{app}/releases {"release": "<uuid>"}`: a new release "Rollback to vN"
with that release's slug and config vars. Heroku refuses a rollback to a release whose add-on
set differs from the current one (Dev Center "Releases": "You cannot roll back to a release
which would change the state of add-ons"); add-ons themselves are never rolled back.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.deploys import release_output
from infra.sandbox.platform_rules import (
    addon_plan_names,
    find,
    find_app,
    find_release,
    new_release,
    render_release,
)
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response
from infra.sandbox.routes import teams


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class ReleaseCreate(Body):
    slug: str | None = None
    release: str | None = None
    description: str | None = None
    oci_image: str | None = None


async def list_releases(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        releases = [render_release(tx, r, _base(request)) for r in tx.children("release", app["id"])]
    return list_response(request, releases, ("id", "version"))


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(render_release(tx, find_release(tx, app, request.path_params["release"]), _base(request)))


async def create(request: Request) -> Response:
    body = await read_body(request, ReleaseCreate)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        teams.require_permission(sandbox, tx, app, "deploy")
        if body.release is not None:
            target = find(tx, "release", body.release, app["id"], resource="release")
            if sorted(target["addon_plan_names"]) != sorted(addon_plan_names(tx, app["id"])):
                raise invalid(
                    f"Cannot roll back to v{target['version']}: the app's add-ons have changed since then, "
                    "and a rollback never changes add-ons."
                )
            app["_config"] = dict(target["_config"])
            slug_id = target["slug"]["id"] if target["slug"] else None
            release = new_release(sandbox, tx, app, f"Rollback to v{target['version']}", slug_id=slug_id)
        elif body.slug is not None:
            slug = find(tx, "slug", body.slug, resource="slug")
            description = body.description or f"Deploy {(slug['commit'] or slug['id'])[:8]}"
            release = new_release(sandbox, tx, app, description, slug_id=slug["id"])
        elif body.oci_image is not None:
            raise invalid("OCI image releases are not emulated by the sandbox; release a slug instead.")
        else:
            raise invalid("Invalid params: slug is required (or release, to roll back).")
        return json_response(render_release(tx, release, _base(request)), status=201)


async def output_stream(request: Request) -> Response:
    """The release phase's output stream (`output_stream_url`), as plain text."""
    with sandbox_of(request).tx() as tx:
        release = tx.get("release", request.path_params["release"])
        if release is None or not release.get("_output_path"):
            return PlainTextResponse("no such release output\n", status_code=404)
        return PlainTextResponse(release_output(release))


routes = [
    Route("/apps/{app}/releases", list_releases, methods=["GET"]),
    Route("/apps/{app}/releases", create, methods=["POST"]),
    Route("/apps/{app}/releases/{release}", info, methods=["GET"]),
]

admin_routes = [
    Route("/__sandbox/releases/{release}/output", output_stream, methods=["GET"]),
]
