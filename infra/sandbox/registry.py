"""The Heroku Buildpack Registry's lookup, on the sandbox: what `heroku buildpacks:add heroku/python` asks first.

The Heroku CLI resolves a registry name (`heroku/python`) at `buildpack-registry.heroku.com`, a host
other than the API, then installs the blob URL it answers with. Offline, point it here:
``HEROKU_BUILDPACK_REGISTRY_URL=http://127.0.0.1:5050``. Only `GET /buildpacks/{namespace}/{name}` is
served, for Heroku's official buildpacks (others: 404, as the registry answers an unknown one);
like the public registry, it needs no token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import offerings
from infra.sandbox.responses import json_response

REGISTRY_PREFIX = "/buildpacks/"


async def buildpack(request: Request) -> Response:
    name = f"{request.path_params['namespace']}/{request.path_params['name']}"
    if name not in offerings.OFFICIAL_BUILDPACKS:
        return json_response({"id": "not_found", "message": f"Buildpack {name} not found."}, status=404)
    return json_response(
        {
            "id": offerings.fixed_id("registry-buildpack", name),
            "namespace": request.path_params["namespace"],
            "name": request.path_params["name"],
            "blob_url": offerings.registry_blob_url(name),
            "source": {"type": "github", "owner": "heroku", "repo": f"heroku-buildpack-{request.path_params['name']}"},
            "support": {"method": "website", "url": "https://devcenter.heroku.com/articles/buildpacks"},
            "two_factor_authentication": False,
            "created_at": "2018-01-01T00:00:00Z",
            "updated_at": "2018-01-01T00:00:00Z",
        }
    )


routes = [Route(REGISTRY_PREFIX + "{namespace}/{name}", buildpack, methods=["GET"])]
