"""The add-on marketplace (`heroku addons:services`, `addons:plans`, `addons:docs`): the catalogue's services and plans.

Only the services the sandbox can provision are listed. Prices are not emulated: every plan is
listed at 0 cents a month, so nothing may read a bill from the sandbox. The first plan of each
service is its default, as `addons:create SERVICE` without a plan gets.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.platform_rules import is_uuid
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import json_response, not_found

# The catalogue is fixed: one creation time for all of it, well before any sandbox resource.
_CATALOGUED_AT = "2012-01-01T00:00:00Z"


def _service(identity: str) -> offerings.AddonService:
    for service in offerings.SERVICES.values():
        if identity in (service.name, offerings.fixed_id("add-on-service", service.name)):
            return service
    raise not_found("add-on-service", identity)


def render_service(service: offerings.AddonService) -> dict[str, Any]:
    return {
        "cli_plugin_name": None,
        "created_at": _CATALOGUED_AT,
        "human_name": service.human_name,
        "id": offerings.fixed_id("add-on-service", service.name),
        "name": service.name,
        "state": "ga",
        "supports_multiple_installations": True,
        "supports_sharing": True,
        "updated_at": _CATALOGUED_AT,
        "supported_generations": [],
    }


def render_plan(service: offerings.AddonService, plan: str) -> dict[str, Any]:
    name = f"{service.name}:{plan}"
    return {
        "addon_service": offerings.named("add-on-service", service.name),
        "created_at": _CATALOGUED_AT,
        "compliance": None,
        "default": plan == service.plans[0],
        "description": f"{service.human_name} {plan}",
        "human_name": plan.replace("-", " ").title(),
        "id": offerings.fixed_id("plan", name),
        "installable_inside_private_network": False,
        "installable_outside_private_network": True,
        "name": name,
        "price": {"cents": 0, "contract": False, "unit": "month"},
        "space_default": False,
        "state": "public",
        "updated_at": _CATALOGUED_AT,
        "visible": True,
    }


def _plan(service: offerings.AddonService, identity: str) -> dict[str, Any]:
    for plan in service.plans:
        rendered = render_plan(service, plan)
        if identity in (plan, rendered["name"], rendered["id"]):
            return rendered
    raise not_found("plan", identity)


async def list_services(request: Request) -> Response:
    services = [render_service(s) for s in offerings.SERVICES.values()]
    return list_response(request, services, ("id", "name"))


async def service_info(request: Request) -> Response:
    return json_response(render_service(_service(request.path_params["service"])))


async def list_plans(request: Request) -> Response:
    service = _service(request.path_params["service"])
    return list_response(request, [render_plan(service, p) for p in service.plans], ("id", "name"))


async def plan_info(request: Request) -> Response:
    service = _service(request.path_params["service"])
    return json_response(_plan(service, request.path_params["plan"]))


async def plan_by_identity(request: Request) -> Response:
    identity = request.path_params["plan"]
    # A plan is named `service:plan` or given by id; a bare service name is not a plan here.
    found = offerings.resolve_plan(identity) if ":" in identity or is_uuid(identity) else None
    if found is None:
        raise not_found("plan", identity)
    return json_response(render_plan(*found))


routes = [
    Route("/addon-services", list_services, methods=["GET"]),
    Route("/addon-services/{service}", service_info, methods=["GET"]),
    Route("/addon-services/{service}/plans", list_plans, methods=["GET"]),
    Route("/addon-services/{service}/plans/{plan}", plan_info, methods=["GET"]),
    Route("/plans/{plan}", plan_by_identity, methods=["GET"]),
]
