"""The account: `/account`, `/users/{account}` (`~` is the caller), its rate limit, its features (`heroku labs`),
the apps it owns or collaborates on (`heroku apps`), and what the platform offers everyone: regions, stacks.

The sandbox has one account; every accepted token acts as it, so `/users/~` and `/users/<its email or id>`
are the account and any other user is 404, as Heroku answers for an account you cannot see.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.bodies import Body, read_body
from infra.sandbox.context import Sandbox, sandbox_of
from infra.sandbox.platform_rules import account_of, render_app
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import json_response, not_found
from infra.sandbox.store import Record

_EPOCH = "2012-01-01T12:00:00Z"
_FEATURES_META_KEY = "account_features"


def render_account(sandbox: Sandbox) -> Record:
    me = account_of(sandbox)
    return {
        "allow_tracking": False,
        "beta": False,
        "created_at": _EPOCH,
        "email": me["email"],
        "federated": False,
        "id": me["id"],
        "identity_provider": None,
        "last_login": None,
        "name": "Sandbox User",
        "sms_number": None,
        "suspended_at": None,
        "delinquent_at": None,
        "two_factor_authentication": False,
        "updated_at": _EPOCH,
        "verified": True,
        "country_of_residence": None,
        "default_organization": None,
        "default_team": None,
    }


def _check_user(sandbox: Sandbox, identity: str) -> None:
    me = account_of(sandbox)
    if identity not in ("~", me["id"], me["email"]):
        raise not_found("user", identity)


async def account(request: Request) -> Response:
    return json_response(render_account(sandbox_of(request)))


async def user(request: Request) -> Response:
    sandbox = sandbox_of(request)
    _check_user(sandbox, request.path_params["user"])
    return json_response(render_account(sandbox))


async def user_apps(request: Request) -> Response:
    sandbox = sandbox_of(request)
    _check_user(sandbox, request.path_params["user"])
    with sandbox.tx() as tx:
        apps = [render_app(app) for app in tx.all("app")]
    return list_response(request, apps, ("id", "name", "updated_at"))


async def rate_limits(request: Request) -> Response:
    sandbox = sandbox_of(request)
    return json_response({"remaining": sandbox.buckets.remaining(request.state.token)})


# --- account features (`heroku labs`) ------------------------------------------------------------


class AccountFeatureUpdate(Body):
    enabled: bool


def _render_feature(enabled: dict[str, bool], feature: offerings.Feature) -> Record:
    return {
        "created_at": _EPOCH,
        "description": feature.description,
        "doc_url": f"https://devcenter.heroku.com/articles/{feature.name}",
        "enabled": bool(enabled.get(feature.name, False)),
        "id": offerings.fixed_id("account-feature", feature.name),
        "name": feature.name,
        "state": feature.state,
        "updated_at": _EPOCH,
        "display_name": feature.display_name,
        "feedback_email": "feedback@heroku.com",
    }


def _account_feature(identity: str) -> offerings.Feature:
    for feature in offerings.ACCOUNT_FEATURES:
        if identity in (feature.name, offerings.fixed_id("account-feature", feature.name)):
            return feature
    raise not_found("account feature", identity)


def _enabled(sandbox: Sandbox) -> dict[str, bool]:
    with sandbox.tx() as tx:
        raw = tx.get_meta(_FEATURES_META_KEY)
    found = json.loads(raw) if raw else {}
    return {str(k): bool(v) for k, v in found.items()} if isinstance(found, dict) else {}


async def list_account_features(request: Request) -> Response:
    enabled = _enabled(sandbox_of(request))
    return list_response(request, [_render_feature(enabled, f) for f in offerings.ACCOUNT_FEATURES], ("id", "name"))


async def account_feature(request: Request) -> Response:
    feature = _account_feature(request.path_params["feature"])
    return json_response(_render_feature(_enabled(sandbox_of(request)), feature))


async def update_account_feature(request: Request) -> Response:
    body = await read_body(request, AccountFeatureUpdate)
    feature = _account_feature(request.path_params["feature"])
    sandbox = sandbox_of(request)
    enabled = {**_enabled(sandbox), feature.name: body.enabled}
    with sandbox.tx() as tx:
        tx.set_meta(_FEATURES_META_KEY, json.dumps(enabled, sort_keys=True))
    return json_response(_render_feature(enabled, feature))


# --- what every account can use ------------------------------------------------------------------


def _render_region(region: offerings.Region) -> Record:
    return {
        "country": region.country,
        "created_at": _EPOCH,
        "description": region.description,
        "id": offerings.fixed_id("region", region.name),
        "locale": region.locale,
        "name": region.name,
        "private_capable": region.private_capable,
        "provider": {"name": "amazon-web-services", "region": region.provider_region},
        "updated_at": _EPOCH,
    }


def _render_stack(name: str) -> Record:
    return {
        "default": name == offerings.DEFAULT_STACK,
        "created_at": _EPOCH,
        "id": offerings.fixed_id("stack", name),
        "name": name,
        "state": "deprecated" if name in offerings.RETIRED_STACKS else "public",
        "updated_at": _EPOCH,
    }


async def list_regions(request: Request) -> Response:
    return list_response(request, [_render_region(r) for r in offerings.REGION_DETAILS], ("id", "name"))


async def region(request: Request) -> Response:
    identity = request.path_params["region"]
    for candidate in offerings.REGION_DETAILS:
        if identity in (candidate.name, offerings.fixed_id("region", candidate.name)):
            return json_response(_render_region(candidate))
    raise not_found("region", identity)


async def list_stacks(request: Request) -> Response:
    return list_response(request, [_render_stack(name) for name in offerings.STACKS], ("id", "name"))


async def stack(request: Request) -> Response:
    identity = request.path_params["stack"]
    for name in offerings.STACKS:
        if identity in (name, offerings.fixed_id("stack", name)):
            return json_response(_render_stack(name))
    raise not_found("stack", identity)


routes = [
    Route("/account", account, methods=["GET"]),
    Route("/account/rate-limits", rate_limits, methods=["GET"]),
    Route("/account/features", list_account_features, methods=["GET"]),
    Route("/account/features/{feature}", account_feature, methods=["GET"]),
    Route("/account/features/{feature}", update_account_feature, methods=["PATCH"]),
    Route("/users/{user}", user, methods=["GET"]),
    Route("/users/{user}/apps", user_apps, methods=["GET"]),
    Route("/regions", list_regions, methods=["GET"]),
    Route("/regions/{region}", region, methods=["GET"]),
    Route("/stacks", list_stacks, methods=["GET"]),
    Route("/stacks/{stack}", stack, methods=["GET"]),
]
