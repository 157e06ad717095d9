"""`create_app`: the local Heroku Platform API emulator as an ASGI (Starlette) application.

Serve it in-process (`httpx.ASGITransport`, or `SandboxTransport` which also turns dropped
connections into httpx transport errors), on a port (`infra.sandbox.server`), or with
`heroku-stack sandbox --port N --state FILE`. The API conventions are in
`infra.sandbox.middleware`, the admin/fault API in `infra.sandbox.admin`, the HTTP router
that plays the deployed apps in `infra.sandbox.router`; endpoints are in `infra.sandbox.routes`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from infra.sandbox import admin, registry
from infra.sandbox.config import SandboxConfig
from infra.sandbox.context import Sandbox
from infra.sandbox.middleware import HerokuConventions
from infra.sandbox.responses import UNKNOWN_ENDPOINT, ApiError, error_response
from infra.sandbox.routes import (
    access,
    account,
    addon_services,
    addons,
    apps,
    buildpacks,
    builds,
    config_vars,
    domains,
    drains,
    dynos,
    features,
    formation,
    pipelines,
    promotions,
    releases,
    teams,
)


def heroku_routes() -> list[BaseRoute]:
    """Every Platform API route the sandbox serves (each is a link in Heroku's schema; a test checks it)."""
    modules: tuple[ModuleType, ...] = (account, apps, access, config_vars, releases, builds, buildpacks)
    modules += (addon_services, addons)
    modules += (domains, formation, dynos, drains, features)
    return [route for module in (*modules, pipelines, promotions, teams) for route in module.routes]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _unknown(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return error_response(ApiError(404, "not_found", UNKNOWN_ENDPOINT))
    return error_response(ApiError(exc.status_code, "bad_request", str(exc.detail)))


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A new sandbox (state opened or created at `config.state_path`); `app.state.sandbox` is its `Sandbox`."""
    sandbox = Sandbox(config or SandboxConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.store.close()

    app = Starlette(
        routes=[*admin.routes, *builds.admin_routes, *releases.admin_routes, *registry.routes, *heroku_routes()],
        middleware=[Middleware(HerokuConventions, sandbox=sandbox)],
        exception_handlers={ApiError: _api_error, HTTPException: _unknown},
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
