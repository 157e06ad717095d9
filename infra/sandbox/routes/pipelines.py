"""Pipelines and pipeline couplings (one coupling per app; `GET /apps/{app}/pipeline-couplings` returns it).

A pipeline's `owner` is never null (the provider dereferences it): without one it is the
account's user.
"""

from __future__ import annotations

import re
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, Identity, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import account_of, find, find_app, is_uuid
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.store import Record, Tx, public

PIPELINE_NAME = re.compile(r"^[a-z][a-z0-9-]{2,29}$")
Stage = Literal["test", "review", "development", "staging", "production"]


class Owner(Body):
    id: str
    type: Literal["user", "team"]


class PipelineCreate(Body):
    nullable = frozenset({"owner"})

    name: str
    owner: Owner | None = None


class PipelineUpdate(Body):
    name: str | None = None


class CouplingCreate(Body):
    app: Identity
    pipeline: Identity
    stage: Stage


class CouplingUpdate(Body):
    stage: Stage | None = None


def _check_name(tx: Tx, name: str, pipeline_id: str | None = None) -> None:
    if not PIPELINE_NAME.match(name):
        raise invalid(f"Invalid params: pipeline name {name!r} must match {PIPELINE_NAME.pattern}.")
    taken = tx.by_name("pipeline", name)
    if taken is not None and taken["id"] != pipeline_id:
        raise invalid("Name is already taken")


def find_pipeline(tx: Tx, identity: str, *, by_name: bool = True) -> Record:
    if not by_name and not is_uuid(identity):
        raise not_found("pipeline", identity)
    return find(tx, "pipeline", identity, resource="pipeline")


def find_coupling(tx: Tx, identity: str) -> Record:
    coupling = tx.get("coupling", identity) if is_uuid(identity) else None
    if coupling is None:
        raise not_found("pipeline-coupling", identity)
    return coupling


def render_coupling(coupling: Record) -> Record:
    return public(coupling)


async def create(request: Request) -> Response:
    body = await read_body(request, PipelineCreate)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        _check_name(tx, body.name)
        owner = body.owner.model_dump() if body.owner else {"id": account_of(sandbox)["id"], "type": "user"}
        pipeline: Record = {
            "created_at": tx.stamp,
            "id": tx.new_id(),
            "name": body.name,
            "owner": owner,
            "updated_at": tx.stamp,
            "generation": offerings.named("generation", "cedar"),
        }
        tx.put("pipeline", pipeline)
        return json_response(public(pipeline), status=201)


async def list_pipelines(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        pipelines = [public(p) for p in tx.all("pipeline")]
    return list_response(request, pipelines, ("id", "name"))


async def info(request: Request) -> Response:
    identity = request.path_params["pipeline"]
    with sandbox_of(request).tx() as tx:
        pipeline = find_pipeline(tx, identity)
        if not is_uuid(identity) and not _couplings_of(tx, pipeline["id"]):
            # Heroku resolves a pipeline's name through its coupled apps (the provider's getPipeline
            # docs: "only works if there is at least one app coupled"); by id it always answers.
            raise not_found("pipeline", identity)
        return json_response(public(pipeline))


def _couplings_of(tx: Tx, pipeline_id: str) -> list[Record]:
    return [c for c in tx.all("coupling") if c["pipeline"]["id"] == pipeline_id]


async def update(request: Request) -> Response:
    body = await read_body(request, PipelineUpdate)
    with sandbox_of(request).tx() as tx:
        pipeline = find_pipeline(tx, request.path_params["pipeline"], by_name=False)
        if body.name is not None:
            _check_name(tx, body.name, pipeline["id"])
            pipeline["name"] = body.name
            pipeline["updated_at"] = tx.stamp
            tx.put("pipeline", pipeline)
        return json_response(public(pipeline))


async def destroy(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        pipeline = find_pipeline(tx, request.path_params["pipeline"], by_name=False)
        for coupling in tx.all("coupling"):
            if coupling["pipeline"]["id"] == pipeline["id"]:
                tx.delete("coupling", coupling["id"])
        tx.delete("pipeline", pipeline["id"])
        return json_response(public(pipeline))


async def couple(request: Request) -> Response:
    body = await read_body(request, CouplingCreate)
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, body.app)
        pipeline = find_pipeline(tx, body.pipeline, by_name=False)
        if tx.children("coupling", app["id"]):
            raise invalid(f"{app['name']} is already coupled to a pipeline; an app can be in one pipeline only.")
        coupling: Record = {
            "app": {"id": app["id"]},
            "created_at": tx.stamp,
            "id": tx.new_id(),
            "pipeline": {"id": pipeline["id"]},
            "stage": body.stage,
            "updated_at": tx.stamp,
        }
        tx.put("coupling", coupling)
        return json_response(render_coupling(coupling), status=201)


async def list_couplings(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        couplings = [render_coupling(c) for c in tx.all("coupling")]
    return list_response(request, couplings)


async def couplings_of_pipeline(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        pipeline = find_pipeline(tx, request.path_params["pipeline"], by_name=False)
        found = [render_coupling(c) for c in tx.all("coupling") if c["pipeline"]["id"] == pipeline["id"]]
    return list_response(request, found)


async def coupling_info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(render_coupling(find_coupling(tx, request.path_params["coupling"])))


async def coupling_of_app(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        found = tx.children("coupling", app["id"])
        if not found:
            raise not_found("pipeline-coupling", app["name"])
        return json_response(render_coupling(found[0]))


async def update_coupling(request: Request) -> Response:
    body = await read_body(request, CouplingUpdate)
    with sandbox_of(request).tx() as tx:
        coupling = find_coupling(tx, request.path_params["coupling"])
        if body.stage is not None:
            coupling["stage"] = body.stage
            coupling["updated_at"] = tx.stamp
            tx.put("coupling", coupling)
        return json_response(render_coupling(coupling))


async def decouple(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        coupling = find_coupling(tx, request.path_params["coupling"])
        tx.delete("coupling", coupling["id"])
        return json_response(render_coupling(coupling))


routes = [
    Route("/pipelines", create, methods=["POST"]),
    Route("/pipelines", list_pipelines, methods=["GET"]),
    Route("/pipelines/{pipeline}", info, methods=["GET"]),
    Route("/pipelines/{pipeline}", update, methods=["PATCH"]),
    Route("/pipelines/{pipeline}", destroy, methods=["DELETE"]),
    Route("/pipelines/{pipeline}/pipeline-couplings", couplings_of_pipeline, methods=["GET"]),
    Route("/pipeline-couplings", couple, methods=["POST"]),
    Route("/pipeline-couplings", list_couplings, methods=["GET"]),
    Route("/pipeline-couplings/{coupling}", coupling_info, methods=["GET"]),
    Route("/pipeline-couplings/{coupling}", update_coupling, methods=["PATCH"]),
    Route("/pipeline-couplings/{coupling}", decouple, methods=["DELETE"]),
    Route("/apps/{app}/pipeline-couplings", coupling_of_app, methods=["GET"]),
]
