"""Pipeline promotions: `pending` -> `completed` after the promotion delay, with per-target results.

Each target that succeeds gets a new release carrying the source release's slug and its own
config vars (Heroku copies the slug, never the config). A target whose app id or name is in
the faults' `fail_promotion_targets` fails with an `error_message` and no release. Source and
targets must be coupled to the pipeline, and the source release must have a slug (a
promotion copies code), else 422.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import events
from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import current_release, find_app, find_release, is_uuid, new_release
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.routes import teams
from infra.sandbox.routes.pipelines import find_pipeline
from infra.sandbox.store import Record, Tx, public

if TYPE_CHECKING:
    from infra.sandbox.context import Sandbox


class Ref(Body):
    id: str


class AppRef(Body):
    app: Ref


class Source(Body):
    app: Ref
    release: Ref | None = None


class PromotionCreate(Body):
    pipeline: Ref
    source: Source
    targets: list[AppRef]


def _coupled(tx: Tx, app: Record, pipeline: Record) -> bool:
    return any(c["pipeline"]["id"] == pipeline["id"] for c in tx.children("coupling", app["id"]))


def find_promotion(tx: Tx, identity: str) -> Record:
    promotion = tx.get("promotion", identity) if is_uuid(identity) else None
    if promotion is None:
        raise not_found("pipeline-promotion", identity)
    return promotion


async def create(request: Request) -> Response:
    body = await read_body(request, PromotionCreate)
    if not body.targets:
        raise invalid("Invalid params: targets must name at least one app.")
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        pipeline = find_pipeline(tx, body.pipeline.id, by_name=False)
        source = find_app(tx, body.source.app.id)
        release = (
            find_release(tx, source, body.source.release.id) if body.source.release else current_release(tx, source)
        )
        targets = [find_app(tx, target.app.id) for target in body.targets]
        for target_app in targets:  # promoting changes what the target runs: a deploy on it
            teams.require_permission(sandbox, tx, target_app, "deploy")
        for app in (source, *targets):
            if not _coupled(tx, app, pipeline):
                raise invalid(f"{app['name']} is not coupled to the pipeline {pipeline['name']}.")
        if any(target["id"] == source["id"] for target in targets):
            raise invalid("An app cannot be promoted to itself.")
        if release is None or not release["slug"]:
            raise invalid(f"{source['name']} has no release with a slug to promote; deploy it first.")
        promotion: Record = {
            "created_at": tx.stamp,
            "id": tx.new_id(),
            "pipeline": {"id": pipeline["id"]},
            "source": {"app": {"id": source["id"]}, "release": {"id": release["id"]}},
            "status": "pending",
            "updated_at": None,
        }
        tx.put("promotion", promotion)
        for target in targets:
            tx.put(
                "promotion-target",
                {
                    "app": {"id": target["id"]},
                    "error_message": None,
                    "id": tx.new_id(),
                    "pipeline_promotion": {"id": promotion["id"]},
                    "release": None,
                    "status": "pending",
                },
            )
        events.after(sandbox, tx, sandbox.delays.promotion, "promotion.run", promotion["id"])
        return json_response(public(find_promotion(tx, promotion["id"])), status=201)


@events.on("promotion.run")
def _run(sandbox: Sandbox, tx: Tx, promotion_id: str) -> None:
    promotion = tx.get("promotion", promotion_id)
    if promotion is None or promotion["status"] != "pending":
        return
    source_app = tx.get("app", promotion["source"]["app"]["id"])
    source_release = tx.get("release", promotion["source"]["release"]["id"])
    for target in tx.children("promotion-target", promotion_id):
        app = tx.get("app", target["app"]["id"])
        if app is None or source_release is None or source_app is None:
            target.update(status="failed", error_message="The app or the source release no longer exists.")
        elif sandbox.faults.promotion_fails(app["id"], app["name"]):
            target.update(status="failed", error_message=f"Release to {app['name']} failed (sandbox fault).")
        else:
            description = f"Promote {source_app['name']} v{source_release['version']}"
            release = new_release(sandbox, tx, app, description, slug_id=source_release["slug"]["id"])
            target.update(status="succeeded", release={"id": release["id"]})
        tx.put("promotion-target", target)
    promotion.update(status="completed", updated_at=tx.stamp)
    tx.put("promotion", promotion)


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(public(find_promotion(tx, request.path_params["promotion"])))


async def targets(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        promotion = find_promotion(tx, request.path_params["promotion"])
        found = [public(t) for t in tx.children("promotion-target", promotion["id"])]
    return list_response(request, found)


routes = [
    Route("/pipeline-promotions", create, methods=["POST"]),
    Route("/pipeline-promotions/{promotion}", info, methods=["GET"]),
    Route("/pipeline-promotions/{promotion}/promotion-targets", targets, methods=["GET"]),
]
