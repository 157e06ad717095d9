"""Slugs and builds.

Slug create takes `process_types` and returns a `blob` URL on the sandbox itself
(`PUT /__sandbox/blobs/{id}` accepts the tarball, as S3 would for the provider's
`heroku_slug`). A build (terraform-provider-heroku v5.2.10 `heroku_build`: `POST` with
`source_blob {url, checksum?, version?}` and `buildpacks [{url}]`, then polls `GET` until
`succeeded`, reading `slug.id`, `release.id`, `output_stream_url`, `stack`, `user`) starts
`pending`; after the build delay it produces a slug whose process types come from
`PUT /__sandbox/apps/{app}/builds` or `PUT /__sandbox/builds` (default: a `web` process) and a
release, or fails when that behaviour says `"outcome": "failed"`. A slug with a `release`
process runs a release phase before its release succeeds (`infra.sandbox.deploys`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from infra.sandbox import events, offerings
from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.deploys import build_behaviour
from infra.sandbox.platform_rules import account_of, find, find_app, is_uuid, new_release
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.store import Record, Tx, public

if TYPE_CHECKING:
    from infra.sandbox.context import Sandbox


class SlugCreate(Body):
    nullable = frozenset({"buildpack_provided_description", "checksum", "commit", "commit_description"})

    process_types: dict[str, str]
    buildpack_provided_description: str | None = None
    checksum: str | None = None
    commit: str | None = None
    commit_description: str | None = None
    stack: str | None = None


class SourceBlob(Body):
    nullable = frozenset({"checksum", "version", "version_description"})

    url: str
    checksum: str | None = None
    version: str | None = None
    version_description: str | None = None


class BuildBuildpack(Body):
    url: str | None = None
    name: str | None = None


class BuildCreate(Body):
    nullable = frozenset({"buildpacks"})

    source_blob: SourceBlob
    buildpacks: list[BuildBuildpack] | None = None


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def new_slug(tx: Tx, app: Record, body: SlugCreate, blob_base: str) -> Record:
    stack = body.stack or app["build_stack"]["name"]
    if stack not in offerings.STACKS:
        raise invalid(f"Invalid params: stack {stack!r} is not one of {', '.join(offerings.STACKS)}.")
    slug_id = tx.new_id()
    slug: Record = {
        "blob": {"method": "PUT", "url": f"{blob_base}/__sandbox/blobs/{slug_id}"},
        "buildpack_provided_description": body.buildpack_provided_description,
        "checksum": body.checksum,
        "commit": body.commit,
        "commit_description": body.commit_description,
        "created_at": tx.stamp,
        "id": slug_id,
        "process_types": dict(body.process_types),
        "size": None,
        "stack": offerings.named("stack", stack),
        "updated_at": tx.stamp,
        "_app_id": app["id"],
    }
    return tx.put("slug", slug)


async def create_slug(request: Request) -> Response:
    body = await read_body(request, SlugCreate)
    bad = [name for name in body.process_types if not name or len(name) > 128]
    if bad:
        raise invalid(f"Invalid params: process type names {bad!r} must be 1 to 128 word characters or dashes.")
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(public(new_slug(tx, app, body, _base(request))), status=201)


async def slug_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        slug = find(tx, "slug", request.path_params["slug"], resource="slug")
        if slug["_app_id"] != app["id"]:
            raise not_found("slug", request.path_params["slug"])
        return json_response({**public(slug), "blob": {**slug["blob"], "method": "GET"}})


def render_build(build: Record) -> Record:
    return public(build)


async def create_build(request: Request) -> Response:
    body = await read_body(request, BuildCreate)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if body.buildpacks:
            buildpacks = [offerings.buildpack(bp.url or bp.name or "") for bp in body.buildpacks]
        else:
            buildpacks = [offerings.buildpack(bp) for bp in app["_buildpacks"]]
        build_id = tx.new_id()
        build: Record = {
            "app": {"id": app["id"]},
            "buildpacks": buildpacks,
            "created_at": tx.stamp,
            "id": build_id,
            "output_stream_url": f"{_base(request)}/__sandbox/builds/{build_id}/output",
            "source_blob": body.source_blob.model_dump(),
            "release": None,
            "slug": None,
            "stack": app["build_stack"]["name"],
            "status": "pending",
            "updated_at": tx.stamp,
            "user": account_of(sandbox),
            "_blob_base": _base(request),
        }
        tx.put("build", build)
        events.after(sandbox, tx, sandbox.delays.build, "build.done", build_id)
        return json_response(render_build(tx.get("build", build_id) or build), status=201)


@events.on("build.done")
def _build_done(sandbox: Sandbox, tx: Tx, build_id: str) -> None:
    build = tx.get("build", build_id)
    app = tx.get("app", build["app"]["id"]) if build else None
    if build is None or app is None or build["status"] != "pending":
        return
    behaviour = build_behaviour(tx, app)
    build["updated_at"] = tx.stamp
    if behaviour.outcome == "failed":
        build["status"] = "failed"
        tx.put("build", build)
        return
    source = build["source_blob"]
    slug = new_slug(
        tx,
        app,
        SlugCreate(process_types=behaviour.process_types, checksum=source["checksum"], commit=source["version"]),
        build["_blob_base"],
    )
    label = source["version"] or slug["id"][:8]
    release = new_release(sandbox, tx, app, f"Deploy {label}", slug_id=slug["id"])
    build.update(status="succeeded", slug={"id": slug["id"]}, release={"id": release["id"]})
    tx.put("build", build)


async def list_builds(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        builds = [render_build(b) for b in tx.children("build", app["id"])]
    return list_response(request, builds, ("id", "started_at"), {"started_at": "created_at"})


async def build_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        identity = request.path_params["build"]
        build = tx.get("build", identity) if is_uuid(identity) else None
        if build is None or build["app"]["id"] != app["id"]:
            raise not_found("build", identity)
        return json_response(render_build(build))


async def build_output(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        build = tx.get("build", request.path_params["build"])
    if build is None:
        return PlainTextResponse("no such build\n", status_code=404)
    return PlainTextResponse(f"-----> Sandbox build on {build['stack']}\n-----> Build {build['status']}\n")


async def put_blob(request: Request) -> Response:
    size = len(await request.body())
    with sandbox_of(request).tx() as tx:
        slug = tx.get("slug", request.path_params["slug"])
        if slug is None:
            return PlainTextResponse("no such slug\n", status_code=404)
        slug["size"] = size
        tx.put("slug", slug)
    return PlainTextResponse("", status_code=200)


routes = [
    Route("/apps/{app}/slugs", create_slug, methods=["POST"]),
    Route("/apps/{app}/slugs/{slug}", slug_info, methods=["GET"]),
    Route("/apps/{app}/builds", create_build, methods=["POST"]),
    Route("/apps/{app}/builds", list_builds, methods=["GET"]),
    Route("/apps/{app}/builds/{build}", build_info, methods=["GET"]),
]

admin_routes = [
    Route("/__sandbox/blobs/{slug}", put_blob, methods=["PUT"]),
    Route("/__sandbox/builds/{build}/output", build_output, methods=["GET"]),
]
