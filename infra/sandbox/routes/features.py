"""App features (`preboot`, `runtime-dyno-metadata`, ...): list, read and toggle by id or name.

A feature's id is the same on every app, as on Heroku; the provider reads features by id and
toggles them by name.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import sandbox_of
from infra.sandbox.platform_rules import find_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import json_response, not_found
from infra.sandbox.store import Record


class FeatureUpdate(Body):
    enabled: bool


def render(app: Record, feature: offerings.Feature) -> Record:
    return {
        "created_at": app["created_at"],
        "description": feature.description,
        "doc_url": f"https://devcenter.heroku.com/articles/{feature.name}",
        "enabled": bool(app["_features"].get(feature.name, False)),
        "id": offerings.fixed_id("app-feature", feature.name),
        "name": feature.name,
        "state": feature.state,
        "updated_at": app.get("_features_at", app["created_at"]),
        "display_name": feature.display_name,
        "feedback_email": "feedback@heroku.com",
    }


def find_feature(identity: str) -> offerings.Feature:
    for feature in offerings.FEATURES:
        if identity in (feature.name, offerings.fixed_id("app-feature", feature.name)):
            return feature
    raise not_found("app-feature", identity)


async def list_features(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
    return list_response(request, [render(app, f) for f in offerings.FEATURES], ("id", "name"))


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
    return json_response(render(app, find_feature(request.path_params["feature"])))


async def update(request: Request) -> Response:
    body = await read_body(request, FeatureUpdate)
    feature = find_feature(request.path_params["feature"])
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        app["_features"] = {**app["_features"], feature.name: body.enabled}
        app["_features_at"] = tx.stamp
        tx.put("app", app)
    return json_response(render(app, feature))


routes = [
    Route("/apps/{app}/features", list_features, methods=["GET"]),
    Route("/apps/{app}/features/{feature}", info, methods=["GET"]),
    Route("/apps/{app}/features/{feature}", update, methods=["PATCH"]),
]
